package dev.abtest.benchmark;

import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.TemporalServer;
import dev.abtest.runtime.Env;
import dev.abtest.starter.StarterApp;
import java.net.URI;
import java.util.Map;

/**
 * The real HTTP starter, in this process, configured through its environment like in production.
 */
final class StarterHandle implements AutoCloseable {
  static final String ACTIVATE_PATH = "/api/nous/ab-testing/experiments/activate";

  private final StarterApp app;

  private StarterHandle(StarterApp app) {
    this.app = app;
  }

  static StarterHandle start(
      EmbeddedPostgres postgres, String databaseName, TemporalServer temporal, Tuning tuning) {
    Env env =
        new Env(
            Map.of(
                "POSTGRESQL_URL", postgres.postgresqlUrl(databaseName),
                "TEMPORAL_ADDRESS", temporal.target(),
                "TEMPORAL_NAMESPACE", "default",
                "HTTP_HOST", "127.0.0.1",
                "HTTP_PORT", "0",
                "HTTP_THREADS", Integer.toString(tuning.httpThreads()),
                "AUTH_MODE", "none"));
    return new StarterHandle(StarterApp.fromEnv(env).start());
  }

  URI activateUri() {
    return app.baseUri().resolve(ACTIVATE_PATH);
  }

  @Override
  public void close() {
    app.close();
  }
}
