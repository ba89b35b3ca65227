package dev.abtest.runtime;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The operations endpoints, as plain responses and as JDK {@link HttpHandler}s:
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 {@code {"status":"UP"}} while the process is alive (liveness);
 *   <li>{@code GET /readyz}: 200 when every readiness check passes, else 503; the body lists each
 *       check and its state (readiness);
 *   <li>{@code GET /metrics}: the Prometheus text format.
 * </ul>
 *
 * A process with its own HTTP server either {@link #mount}s these on a JDK {@link HttpServer} or
 * serves {@link #health()}, {@link #readiness()} and {@link #metrics()} through its own routing.
 */
public final class OpsEndpoints {
  public static final String HEALTH_PATH = "/healthz";
  public static final String READY_PATH = "/readyz";
  public static final String METRICS_PATH = "/metrics";

  private static final String JSON = "application/json";

  /** A response to write: status, content type and body. */
  public record Response(int status, String contentType, String body) {}

  private final Supplier<String> scrape;
  private final Readiness readiness;

  public OpsEndpoints(Metrics metrics, Readiness readiness) {
    this(Objects.requireNonNull(metrics, "metrics")::scrape, readiness);
  }

  OpsEndpoints(Supplier<String> scrape, Readiness readiness) {
    this.scrape = scrape;
    this.readiness = Objects.requireNonNull(readiness, "readiness");
  }

  public Response health() {
    return new Response(200, JSON, "{\"status\":\"UP\"}");
  }

  public Response readiness() {
    Readiness.Report report = readiness.report();
    return new Response(report.ready() ? 200 : 503, JSON, report.toJson());
  }

  public Response metrics() {
    return new Response(200, Metrics.CONTENT_TYPE, scrape.get());
  }

  public HttpHandler healthHandler() {
    return handler(this::health);
  }

  public HttpHandler readinessHandler() {
    return handler(this::readiness);
  }

  public HttpHandler metricsHandler() {
    return handler(this::metrics);
  }

  /** Serves the three endpoints on {@code server} at their standard paths. */
  public void mount(HttpServer server) {
    server.createContext(HEALTH_PATH, healthHandler());
    server.createContext(READY_PATH, readinessHandler());
    server.createContext(METRICS_PATH, metricsHandler());
  }

  private static HttpHandler handler(Supplier<Response> endpoint) {
    return exchange -> {
      try (exchange) {
        String method = exchange.getRequestMethod();
        boolean head = method.equals("HEAD");
        Response response;
        if (!method.equals("GET") && !head) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          response = new Response(405, JSON, "{\"status\":\"METHOD_NOT_ALLOWED\"}");
        } else {
          try {
            response = endpoint.get();
          } catch (RuntimeException e) {
            // Never a stack trace in a body: the status says it, the log has the detail.
            response = new Response(500, JSON, "{\"status\":\"ERROR\"}");
          }
        }
        write(exchange, response, head);
      }
    };
  }

  private static void write(HttpExchange exchange, Response response, boolean head)
      throws IOException {
    byte[] body = response.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", response.contentType());
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (head) {
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    exchange.sendResponseHeaders(response.status(), body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
