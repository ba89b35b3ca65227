package dev.abtest.worker;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Logging;
import java.io.PrintStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar worker.jar}: reads the configuration ({@link WorkerConfig}), runs a {@link
 * WorkerApp} until SIGTERM or Ctrl-C, then drains it.
 *
 * <p>Exit codes: 2 for a missing or malformed setting (one line on stderr naming it), 1 when
 * start-up fails (logged), otherwise the JVM's own on a signal.
 */
public final class WorkerMain {
  static final int EXIT_CONFIG = 2;
  static final int EXIT_START_FAILED = 1;

  private WorkerMain() {}

  public static void main(String[] args) throws InterruptedException {
    WorkerConfig config;
    try {
      config = WorkerConfig.fromEnv(Env.system());
    } catch (ConfigException e) {
      System.exit(reportConfigError(e, System.err));
      return;
    }
    Logging logging = Logging.configure(config.logging(), System.out);
    logging.redactAll(config.secrets());
    Logger log = LoggerFactory.getLogger(WorkerMain.class);

    WorkerApp app = new WorkerApp(config);
    Runtime.getRuntime().addShutdownHook(new Thread(app::close, "worker-shutdown"));
    try {
      app.start();
    } catch (RuntimeException e) {
      // The message, not the trace: start-up errors are configuration or connectivity, said in
      // words.
      log.error("Worker failed to start: {}", describe(e));
      log.debug("Start-up failure", e);
      System.exit(EXIT_START_FAILED);
      return;
    }
    app.awaitClosed();
  }

  /** Prints the one line a configuration error gets and returns the exit code. */
  static int reportConfigError(ConfigException e, PrintStream err) {
    err.println("worker: configuration error: " + e.getMessage().replaceAll("\\s*\\R\\s*", " "));
    return EXIT_CONFIG;
  }

  private static String describe(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
