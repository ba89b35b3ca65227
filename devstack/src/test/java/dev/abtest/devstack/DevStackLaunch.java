package dev.abtest.devstack;

import dev.abtest.testing.ServiceProcess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java -jar devstack.jar} as a user runs it, on a test's folder and ports, with the CLI's
 * dev server when one is installed; nothing of the caller's AUTH_, TEMPORAL_ or POSTGRESQL_URL
 * settings reaches it.
 */
record DevStackLaunch(
    Path dataDir, int httpPort, int workerPort, int temporalPort, int uiPort, Optional<Path> cli) {

  static Path jar() {
    return Path.of(System.getProperty("devstack.jar", "target/devstack.jar")).toAbsolutePath();
  }

  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DEVSTACK_DIR", dataDir.toString());
    env.put("HTTP_PORT", Integer.toString(httpPort));
    env.put("DEVSTACK_WORKER_HTTP_PORT", Integer.toString(workerPort));
    env.put("TEMPORAL_ADDRESS", "127.0.0.1:" + temporalPort);
    env.put("DEVSTACK_UI_PORT", Integer.toString(uiPort));
    cli.ifPresent(
        path -> {
          env.put("DEVSTACK_TEMPORAL", "cli");
          env.put("TEMPORAL_CLI", path.toString());
        });
    return env;
  }

  /** Starts it, its output appended to {@code log}. */
  Process start(Path log) {
    return ServiceProcess.jar(jar())
        .jvmArgs("-Xmx512m")
        .withoutEnv(
            k ->
                k.startsWith("AUTH_")
                    || k.startsWith("TEMPORAL_")
                    || k.equals("POSTGRESQL_URL")
                    || k.equals("DEVSTACK_TEMPORAL"))
        .env(env())
        .log(log)
        .start()
        .process();
  }
}
