package dev.abtest.runtime;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A small standalone HTTP server for the {@link OpsEndpoints} (a process that serves nothing else,
 * like the worker). Binds {@link HttpSettings}' host and port; port 0 picks a free one.
 */
public final class OpsHttp implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private OpsHttp(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving {@code /healthz}, {@code /readyz} and {@code /metrics}.
   *
   * @throws UncheckedIOException when the address cannot be bound (in use, unknown host)
   */
  public static OpsHttp start(HttpSettings settings, OpsEndpoints endpoints) {
    HttpServer server;
    try {
      server = JdkHttpServers.create(new InetSocketAddress(settings.host(), settings.port()), 16);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot serve HTTP on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(),
          e);
    }
    ExecutorService executor =
        Executors.newFixedThreadPool(
            2,
            runnable -> {
              Thread thread = new Thread(runnable, "ops-http");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    endpoints.mount(server);
    server.start();
    return new OpsHttp(server, executor);
  }

  /** The bound port (the chosen one when started with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  public String host() {
    return server.getAddress().getHostString();
  }

  /** {@code http://host:port}, for logs and tests. */
  public String baseUrl() {
    String host = host();
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
