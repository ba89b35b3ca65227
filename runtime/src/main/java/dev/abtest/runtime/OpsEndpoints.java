package dev.abtest.runtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Callback;

/**
 * The operations endpoints, as plain responses and as a Jetty {@link Handler}:
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 {@code {"status":"UP"}} while the process is alive (liveness);
 *   <li>{@code GET /readyz}: 200 when every readiness check passes, else 503; the body lists each
 *       check and its state (readiness);
 *   <li>{@code GET /metrics}: the Prometheus text format.
 * </ul>
 *
 * Paths are exact ({@code /healthzz} is not {@code /healthz}); {@code HEAD} is answered on each.
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

  /** The three endpoints by path, to serve beside other routes. */
  public Map<String, Supplier<Response>> routes() {
    Map<String, Supplier<Response>> routes = new LinkedHashMap<>();
    routes.put(HEALTH_PATH, this::health);
    routes.put(READY_PATH, this::readiness);
    routes.put(METRICS_PATH, this::metrics);
    return routes;
  }

  /** Serves the three endpoints; any other path is left to the server (404 JSON). */
  public Handler handler() {
    return handler(routes());
  }

  /**
   * A handler for GET (and HEAD) on exactly these paths; another method is a 405 JSON error, any
   * other path is not taken. Endpoints must answer quickly: they run on the server's threads.
   */
  public static Handler handler(Map<String, Supplier<Response>> routes) {
    Map<String, Supplier<Response>> exact = Map.copyOf(routes);
    return new Handler.Abstract() {
      @Override
      public boolean handle(
          Request request, org.eclipse.jetty.server.Response response, Callback callback) {
        Supplier<Response> endpoint = exact.get(request.getHttpURI().getPath());
        if (endpoint == null) {
          return false;
        }
        serve(endpoint, request, response, callback);
        return true;
      }
    };
  }

  /** Answers one request with {@code endpoint}: GET and HEAD, 405 otherwise. */
  public static void serve(
      Supplier<Response> endpoint,
      Request request,
      org.eclipse.jetty.server.Response response,
      Callback callback) {
    String method = request.getMethod();
    Response answer;
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      EdgeErrors.Error error = EdgeErrors.forStatus(405);
      answer =
          new Response(
              405, EdgeErrors.CONTENT_TYPE, new String(error.body(), StandardCharsets.UTF_8));
    } else {
      try {
        answer = endpoint.get();
      } catch (RuntimeException e) {
        // Never a stack trace in a body: the status says it, the log has the detail.
        answer = new Response(500, JSON, "{\"status\":\"ERROR\"}");
      }
    }
    write(request, response, callback, answer);
  }

  /** Writes a plain response; a HEAD gets the headers (length included) and no body. */
  public static void write(
      Request request,
      org.eclipse.jetty.server.Response response,
      Callback callback,
      Response answer) {
    byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
    response.setStatus(answer.status());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.contentType());
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
    boolean head = request.getMethod().equals("HEAD");
    response.write(true, head || body.length == 0 ? null : ByteBuffer.wrap(body), callback);
  }
}
