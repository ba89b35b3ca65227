package dev.abtest.starter;

import dev.abtest.activation.ActivationContract;
import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Failures;
import dev.abtest.runtime.Logging;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.starter.cli.ActivateCommand;
import dev.abtest.starter.cli.HistoryCommand;
import dev.abtest.starter.cli.ScheduleCommands;
import dev.abtest.starter.cli.UsageException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar starter.jar} serves the HTTP edge until SIGTERM; {@code activate <id>}, {@code
 * cancel <id>}, {@code schedules} and {@code history <id>} are the operators' command line. A bad
 * setting prints one line and exits with 2.
 */
public final class StarterMain {
  static final String USAGE =
      String.join(
          System.lineSeparator(),
          "usage: java -jar starter.jar [serve]",
          "       java -jar starter.jar activate <experimentId> [--at TIME] [--wait 30s] [--as NAME]",
          "       java -jar starter.jar cancel <experimentId> [--as NAME] [--wait 30s]",
          "       java -jar starter.jar schedules [--limit 20] [--cursor C]",
          "       java -jar starter.jar history <experimentId> [--limit 20] [--cursor C]");

  private StarterMain() {}

  public static void main(String[] args) {
    int code = run(Arrays.asList(args), Env.system(), System.out, System.err);
    if (code >= 0) {
      System.exit(code);
    }
  }

  /** Runs a command; returns its exit code, or -1 after serving until shutdown. */
  static int run(List<String> args, Env env, PrintStream out, PrintStream err) {
    String command = args.isEmpty() ? "serve" : args.get(0);
    List<String> rest = args.isEmpty() ? List.of() : args.subList(1, args.size());
    try {
      return switch (command) {
        case "serve" -> serve(env, err);
        case "activate" -> {
          commandLogging(env, err).redactAll(temporalSecrets(env));
          yield ActivateCommand.run(rest, env, out, err);
        }
        case "cancel" -> {
          commandLogging(env, err).redactAll(temporalSecrets(env));
          yield ScheduleCommands.cancel(rest, env, out, err);
        }
        case "schedules" -> {
          commandLogging(env, err).redactAll(temporalSecrets(env));
          yield ScheduleCommands.schedules(rest, env, out, err);
        }
        case "history" -> {
          commandLogging(env, err).redact(StarterConfig.database(env).password());
          yield HistoryCommand.run(rest, env, out, err);
        }
        case "help", "--help", "-h" -> {
          out.println(USAGE);
          yield 0;
        }
        default -> {
          err.println("starter: unknown command '" + command + "'");
          err.println(USAGE);
          yield ActivateCommand.USAGE;
        }
      };
    } catch (ConfigException e) {
      err.println("starter: configuration error: " + e.getMessage());
      return ActivateCommand.USAGE;
    } catch (UsageException e) {
      err.println("starter: " + e.getMessage());
      err.println(USAGE);
      return ActivateCommand.USAGE;
    } catch (java.io.UncheckedIOException e) {
      // The HTTP port is taken, or the host cannot be bound.
      err.println("starter: " + e.getMessage());
      return ActivateCommand.FAILED;
    }
  }

  /** The Temporal API key of the commands that talk to Temporal, masked as the server masks it. */
  private static List<String> temporalSecrets(Env env) {
    return TemporalSettings.fromEnv(env, ActivationContract.DEFAULT_TASK_QUEUE).secrets();
  }

  /** Commands print their result on stdout, so their log lines go to stderr. */
  private static Logging commandLogging(Env env, PrintStream err) {
    return Logging.configure(Logging.Settings.fromEnv(env), err);
  }

  private static int serve(Env env, PrintStream err) {
    Logging logging = Logging.configure(env);
    StarterConfig config = StarterConfig.fromEnv(env);
    logging.redactAll(config.secrets());
    StarterApp app;
    try {
      app = new StarterApp(config).start();
    } catch (java.io.UncheckedIOException e) {
      throw e; // the address cannot be bound: reported by run()
    } catch (RuntimeException e) {
      // As the worker does: the message, not the trace (start-up errors are said in words).
      LoggerFactory.getLogger(StarterMain.class)
          .error("Starter failed to start: {}", Failures.rootMessage(e));
      return ActivateCommand.FAILED;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                },
                "starter-shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return -1;
  }
}
