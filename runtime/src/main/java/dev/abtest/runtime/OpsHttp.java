package dev.abtest.runtime;

import java.io.UncheckedIOException;
import org.eclipse.jetty.server.Server;

/**
 * A small standalone HTTP server for the {@link OpsEndpoints} (a process that serves nothing else,
 * like the worker), on {@link JettyServers} with the same edge rules as the starter. Binds {@link
 * HttpSettings}' host and port; port 0 picks a free one.
 */
public final class OpsHttp implements AutoCloseable {
  private static final int THREADS = 8;

  private final Server server;
  private final HttpSettings settings;

  private OpsHttp(Server server, HttpSettings settings) {
    this.server = server;
    this.settings = settings;
  }

  /**
   * Starts serving {@code /healthz}, {@code /readyz} and {@code /metrics}.
   *
   * @throws UncheckedIOException when the address cannot be bound (in use, unknown host)
   */
  public static OpsHttp start(HttpSettings settings, OpsEndpoints endpoints) {
    Server server = JettyServers.start(settings, "ops-http", THREADS, endpoints.handler());
    return new OpsHttp(server, settings);
  }

  /** The bound port (the chosen one when started with port 0). */
  public int port() {
    return JettyServers.port(server);
  }

  public String host() {
    return settings.host();
  }

  /** {@code http://host:port}, for logs and tests. */
  public String baseUrl() {
    String host = host();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  @Override
  public void close() {
    JettyServers.stop(server);
  }
}
