package dev.abtest.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.IntSupplier;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of every process: Jetty 12's core (no servlets), with the edge rules of the
 * contract configured once. Headers are limited to {@link HttpSettings#MAX_HEADER_BYTES} (431
 * beyond), a request head must arrive within the read timeout ({@link ReadDeadline}), idle
 * connections close after the idle timeout, at most {@code maxConnections} are open at once, and
 * every error the server gives on its own is JSON ({@link JsonErrorHandler}). Selectors read and
 * write, so a slow or idle client holds no thread; the pool only runs handlers.
 */
public final class JettyServers {
  private static final Logger log = LoggerFactory.getLogger(JettyServers.class);

  private JettyServers() {}

  /**
   * A started server on {@code settings}' address serving {@code handler}; a path the handler does
   * not take answers 404 JSON.
   *
   * @param threads the most threads running handlers at once (a handler must not block long)
   * @throws UncheckedIOException when the address cannot be bound (in use, unknown host)
   */
  public static Server start(HttpSettings settings, String name, int threads, Handler handler) {
    QueuedThreadPool pool = new QueuedThreadPool(Math.max(threads, 8), Math.min(4, threads));
    pool.setName(name);
    pool.setDaemon(true);
    Server server = new Server(pool);

    HttpConfiguration http = new HttpConfiguration();
    http.setRequestHeaderSize(HttpSettings.MAX_HEADER_BYTES);
    http.setSendServerVersion(false);
    http.setSendXPoweredBy(false);
    // A path with ambiguous or undecodable escapes is a 400, never guessed at.
    http.setUriCompliance(UriCompliance.DEFAULT);
    ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(settings.host());
    connector.setPort(settings.port());
    connector.setIdleTimeout(settings.idleTimeout().toMillis());
    connector.setAcceptQueueSize(1024);
    ReadDeadline deadline = new ReadDeadline(connector.getScheduler(), settings);
    connector.addBean(deadline);
    server.addConnector(connector);
    server.addBean(new NetworkConnectionLimit(settings.maxConnections(), connector));
    server.setErrorHandler(new JsonErrorHandler());
    server.setHandler(deadline.wrap(handler));
    // Draining is done by stop(server, drain, inFlight); Jetty's own graceful wait is off.
    server.setStopTimeout(0);
    try {
      server.start();
    } catch (Exception e) {
      try {
        server.stop();
      } catch (Exception ignored) {
        // Already failing: the bind error is the one to report.
      }
      IOException cause = e instanceof IOException io ? io : new IOException(e.getMessage(), e);
      throw new UncheckedIOException(
          "Cannot serve HTTP on " + settings.host() + ":" + settings.port() + ": " + e.getMessage(),
          cause);
    }
    return server;
  }

  /** The bound port of a started server. */
  public static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** Stops the server at once: open connections are closed. */
  public static void stop(Server server) {
    stop(server, Duration.ZERO, () -> 0);
  }

  /**
   * Stops accepting, waits up to {@code drain} until {@code inFlight} reaches 0, then stops the
   * server, closing every connection. The wait is ours: Jetty's graceful stop would also wait for
   * idle keep-alive connections a client holds open, i.e. always the whole timeout.
   */
  public static void stop(Server server, Duration drain, IntSupplier inFlight) {
    for (var connector : server.getConnectors()) {
      if (connector instanceof ServerConnector network) {
        network.close();
      }
    }
    long deadline = System.nanoTime() + drain.toNanos();
    try {
      while (inFlight.getAsInt() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (inFlight.getAsInt() > 0) {
      log.warn(
          "Stopping with {} requests still in flight after the drain timeout", inFlight.getAsInt());
    }
    try {
      server.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop the HTTP server: " + e.getMessage(), e);
    }
  }
}
