package dev.abtest.starter.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.abtest.runtime.JdkHttpServers;
import dev.abtest.starter.auth.AuthException;
import dev.abtest.starter.auth.Authenticator;
import dev.abtest.starter.auth.Caller;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The JSON edge on the JDK's own HTTP server: routing, authentication, error bodies in the
 * contract's shape, and a fixed pool of threads, sized for requests that mostly wait on a workflow
 * result.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final String JSON = "application/json; charset=utf-8";

  /**
   * Observes every answered request (route template, method, status, duration), e.g. for metrics.
   */
  @FunctionalInterface
  public interface Observer {
    void answered(String route, String method, int status, long nanos);

    Observer NONE = (route, method, status, nanos) -> {};
  }

  public record Options(
      String host, int port, int threads, int bodyLimitBytes, Duration drainTimeout) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final List<Route> routes;
  private final Authenticator authenticator;
  private final Options options;
  private final Observer observer;
  private final AtomicInteger inFlight = new AtomicInteger();

  public ApiServer(
      Options options, Authenticator authenticator, List<Route> routes, Observer observer)
      throws IOException {
    this.options = options;
    this.authenticator = authenticator;
    this.routes = List.copyOf(routes);
    this.observer = observer == null ? Observer.NONE : observer;
    this.server =
        JdkHttpServers.create(new InetSocketAddress(options.host(), options.port()), 1024);
    AtomicInteger count = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            options.threads(),
            options.threads(),
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "http-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.createContext("/", this::dispatch);
  }

  /**
   * Serves another handler (health, metrics) on an exact path, outside the API's authentication.
   */
  public void mount(String path, HttpHandler handler) {
    server.createContext(path, handler);
  }

  public void start() {
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String host() {
    return options.host();
  }

  /**
   * Lets requests in flight finish within the drain timeout, then stops listening and the threads.
   * The drain is ours, not {@code HttpServer.stop(delay)}'s: on JDK 17 that always sleeps the whole
   * delay, even with nothing in flight (JDK-8304065).
   */
  @Override
  public void close() {
    long deadline = System.nanoTime() + options.drainTimeout().toNanos();
    try {
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (inFlight.get() > 0) {
      log.warn("Stopping with {} requests still in flight after the drain timeout", inFlight.get());
    }
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(1, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private void dispatch(HttpExchange exchange) {
    inFlight.incrementAndGet();
    try {
      serve(exchange);
    } finally {
      inFlight.decrementAndGet();
    }
  }

  private void serve(HttpExchange exchange) {
    long started = System.nanoTime();
    String method = exchange.getRequestMethod();
    String rawPath = exchange.getRequestURI().getRawPath();
    String template = "unmatched";
    int status;
    try {
      Route route = null;
      String rawParameter = null;
      for (Route candidate : routes) {
        String matched = candidate.match(rawPath);
        if (matched != null) {
          route = candidate;
          rawParameter = matched;
          break;
        }
      }
      status = answer(exchange, method, route, rawParameter);
      if (route != null) {
        template = route.path();
      }
    } catch (RuntimeException | Error e) {
      // answer() renders every failure; reaching here means even that failed.
      log.error("Request {} {} failed while answering", method, template, e);
      status = 500;
    } finally {
      exchange.close();
    }
    long nanos = System.nanoTime() - started;
    if (!template.equals("unmatched")) {
      // The route template, never the raw path: a path may carry anything a client sent.
      log.info("{} {} answered {} in {} ms", method, template, status, nanos / 1_000_000);
    }
    MDC.clear();
    observer.answered(template, method, status, nanos);
  }

  private int answer(HttpExchange exchange, String method, Route route, String rawParameter) {
    try {
      if (route == null) {
        throw new ApiError(ErrorCode.NOT_FOUND, "Route not found", null, Map.of());
      }
      if (!route.method().equals(method)) {
        throw new ApiError(
            ErrorCode.METHOD_NOT_ALLOWED,
            ErrorCode.METHOD_NOT_ALLOWED.message(),
            Map.of("allowed", List.of(route.method())),
            Map.of("Allow", route.method()));
      }
      Caller caller = authenticate(exchange);
      String parameter = route.hasParameter() ? decodePathSegment(rawParameter) : null;
      Object data =
          route
              .handler()
              .handle(new Request(exchange, caller, parameter, options.bodyLimitBytes()));
      int status = 200;
      if (data instanceof Accepted accepted) {
        status = 202;
        data = accepted.data();
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("success", true);
      body.put("data", data);
      return send(exchange, status, body, Map.of());
    } catch (ApiError e) {
      return send(exchange, e.code().status(), errorBody(e), e.headers());
    } catch (Exception e) {
      log.error("Request {} {} failed", method, route == null ? "?" : route.path(), e);
      ApiError internal = new ApiError(ErrorCode.INTERNAL);
      return send(exchange, 500, errorBody(internal), Map.of());
    }
  }

  private Caller authenticate(HttpExchange exchange) {
    try {
      return authenticator.authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
    } catch (AuthException e) {
      log.info("Request refused: {}", e.getMessage());
      throw switch (e.kind()) {
        case FORBIDDEN -> new ApiError(ErrorCode.FORBIDDEN);
        case KEYS_UNAVAILABLE ->
            new ApiError(ErrorCode.UNAVAILABLE, "Authentication keys unavailable", null, Map.of());
        case UNAUTHENTICATED ->
            new ApiError(
                ErrorCode.UNAUTHENTICATED,
                ErrorCode.UNAUTHENTICATED.message(),
                null,
                Map.of("WWW-Authenticate", "Bearer realm=\"experiments\""));
      };
    }
  }

  static Map<String, Object> errorBody(ApiError error) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("success", false);
    body.put("error", error.getMessage());
    body.put("code", error.code().name());
    if (error.details() != null) {
      body.put("details", error.details());
    }
    return body;
  }

  private static String decodePathSegment(String raw) {
    try {
      // A path keeps '+' literal; only percent-escapes are decoded.
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("experimentId", "malformed percent-encoding in the path");
    }
  }

  private static int send(
      HttpExchange exchange, int status, Object body, Map<String, String> headers) {
    byte[] bytes = Json.bytes(body);
    headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
    exchange.getResponseHeaders().set("Content-Type", JSON);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    try {
      if (exchange.getRequestMethod().equals("HEAD")) {
        exchange.sendResponseHeaders(status, -1);
      } else {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    } catch (IOException e) {
      log.debug("Client went away before the {} answer was sent", status);
    }
    return status;
  }
}
