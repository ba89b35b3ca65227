package dev.abtest.embedded;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The Temporal server that integration tests, the fault suite and the benchmark run against, chosen
 * by {@code TEMPORAL_TEST_ENGINE} (or the system property {@code temporal.engine}):
 *
 * <ul>
 *   <li>{@code cli}: the CLI's dev server, required (the test command sets it after installing the
 *       CLI, so CI always runs on a real server);
 *   <li>{@code test}: the Java test server;
 *   <li>{@code auto} (default): the dev server when a {@code temporal} binary is found, else the
 *       test server.
 * </ul>
 *
 * Workflow unit tests and replay tests do not use this: they stay on the SDK's test environment.
 */
public final class TemporalServers {
  private TemporalServers() {}

  /** Which engine, as configured. */
  public enum Engine {
    AUTO,
    CLI,
    TEST
  }

  public static Engine configuredEngine() {
    String value =
        System.getProperty(
                "temporal.engine", System.getenv().getOrDefault("TEMPORAL_TEST_ENGINE", "auto"))
            .strip();
    try {
      return Engine.valueOf(value.toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "TEMPORAL_TEST_ENGINE must be auto, cli or test, got '" + value + "'");
    }
  }

  /** The CLI that {@link Engine#CLI} and {@link Engine#AUTO} would use, if any. */
  public static Optional<Path> cliForTests() {
    Engine engine = configuredEngine();
    if (engine == Engine.TEST) {
      return Optional.empty();
    }
    Optional<Path> cli = TemporalCli.locate();
    if (cli.isEmpty() && engine == Engine.CLI) {
      throw new IllegalStateException(
          "TEMPORAL_TEST_ENGINE=cli, but no temporal binary was found: "
              + TemporalCli.INSTALL_HINT);
    }
    return cli;
  }

  /**
   * A server for one test fixture, on free ports: the dev server keeps its SQLite file and log
   * under {@code dir} (so {@link TemporalServer#suspend()} keeps the state), headless.
   */
  public static TemporalServer forTests(Path dir) throws IOException {
    return forTests(dir, Map.of());
  }

  /** The same, with search attributes registered at start (name → CLI type name). */
  public static TemporalServer forTests(Path dir, Map<String, String> searchAttributes)
      throws IOException {
    Optional<Path> cli = cliForTests();
    if (cli.isEmpty()) {
      return LoopbackTemporalServer.start(0);
    }
    return TemporalDevServer.start(
        TemporalDevServer.Options.of(cli.get(), dir.resolve("temporal-dev-server.log"))
            .withDbFile(dir.resolve("temporal.db"))
            .withSearchAttributes(searchAttributes)
            .fastAndUnsafe(true));
  }
}
