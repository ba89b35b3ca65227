package dev.abtest.starter.http;

import dev.abtest.runtime.HttpSettings;
import dev.abtest.runtime.JettyServers;
import dev.abtest.runtime.OpsEndpoints;
import dev.abtest.starter.auth.AuthException;
import dev.abtest.starter.auth.Authenticator;
import dev.abtest.starter.auth.Caller;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The JSON edge on Jetty ({@link JettyServers}: timeouts, header and connection limits, JSON
 * errors): exact routing, authentication, error bodies in the contract's shape. A request holds no
 * thread while its body arrives or while it waits on a workflow: the body is read as the selector
 * delivers it, handlers run on a small worker pool, and a handler's {@link CompletionStage}
 * completes the response later. At most {@code maxWaiting} API requests are in progress at once;
 * beyond, 503 with {@code Retry-After}.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
  private static final String JSON = "application/json; charset=utf-8";
  private static final String RETRY_AFTER_SECONDS = "1";

  /**
   * Observes every answered request (route template, method, status, duration), e.g. for metrics.
   */
  @FunctionalInterface
  public interface Observer {
    void answered(String route, String method, int status, long nanos);

    Observer NONE = (route, method, status, nanos) -> {};
  }

  /**
   * @param threads the worker pool running handlers (each blocks at most for one short call)
   * @param maxWaiting API requests in progress at once ({@code HTTP_MAX_WAITING})
   * @param realm named in the {@code WWW-Authenticate} challenge of a 401
   */
  public record Options(
      HttpSettings http,
      int threads,
      int bodyLimitBytes,
      int maxWaiting,
      Duration drainTimeout,
      String realm) {}

  private final List<Route> routes;
  private final Map<String, Supplier<OpsEndpoints.Response>> plain = new LinkedHashMap<>();
  private final Authenticator authenticator;
  private final Options options;
  private final Observer observer;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor workers;
  private final AtomicInteger inProgress = new AtomicInteger();
  private Server server;

  public ApiServer(
      Options options,
      Authenticator authenticator,
      List<Route> routes,
      Observer observer,
      ScheduledExecutorService timer) {
    this.options = options;
    this.authenticator = authenticator;
    this.routes = List.copyOf(routes);
    this.observer = observer == null ? Observer.NONE : observer;
    this.timer = timer;
    AtomicInteger count = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            options.threads(),
            options.threads(),
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            runnable -> {
              Thread thread = new Thread(runnable, "http-worker-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Serves a plain GET/HEAD endpoint (health, metrics, the OpenAPI document) on an exact path,
   * outside authentication and the waiting limit. Call before {@link #start()}.
   */
  public void mount(String path, Supplier<OpsEndpoints.Response> endpoint) {
    plain.put(path, endpoint);
  }

  /**
   * Binds and serves.
   *
   * @throws java.io.UncheckedIOException when the address cannot be bound
   */
  public void start() {
    Handler.Abstract api =
        new Handler.Abstract() {
          @Override
          public boolean handle(
              org.eclipse.jetty.server.Request request, Response response, Callback callback) {
            return ApiServer.this.handle(request, response, callback);
          }
        };
    Handler.Sequence handlers = new Handler.Sequence(OpsEndpoints.handler(plain), api);
    server = JettyServers.start(options.http(), "http", jettyThreads(), handlers);
  }

  /** Selector, acceptor and the short work of routing: a few threads serve thousands of clients. */
  private static int jettyThreads() {
    return 16;
  }

  public int port() {
    return JettyServers.port(server);
  }

  /** API requests in progress (reading, running or waiting): what HTTP_MAX_WAITING bounds. */
  public int inProgress() {
    return inProgress.get();
  }

  /**
   * Stops accepting, lets requests in flight finish within the drain timeout, then closes every
   * connection and stops the worker pool.
   */
  @Override
  public void close() {
    if (server != null) {
      JettyServers.stop(server, options.drainTimeout(), inProgress::get);
    }
    workers.shutdown();
    try {
      if (!workers.awaitTermination(1, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** One exchange: everything from here on answers through {@code done}, exactly once. */
  private boolean handle(
      org.eclipse.jetty.server.Request request, Response response, Callback callback) {
    long arrival = request.getHeadersNanoTime();
    String method = request.getMethod();
    String rawPath = request.getHttpURI().getPath();
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
    Exchange exchange = new Exchange(request, response, callback, route, arrival);
    if (route == null) {
      exchange.fail(new ApiError(ErrorCode.NOT_FOUND, "Route not found", null, Map.of()));
      return true;
    }
    if (!route.allows(method)) {
      String allowed = route.method().equals("GET") ? "GET, HEAD" : route.method();
      exchange.fail(
          new ApiError(
              ErrorCode.METHOD_NOT_ALLOWED,
              ErrorCode.METHOD_NOT_ALLOWED.message(),
              Map.of("allowed", List.of(allowed.split(", "))),
              Map.of("Allow", allowed)));
      return true;
    }
    if (inProgress.incrementAndGet() > options.maxWaiting()) {
      inProgress.decrementAndGet();
      exchange.fail(
          new ApiError(
              ErrorCode.UNAVAILABLE,
              "Too many requests in progress; retry shortly",
              null,
              Map.of("Retry-After", RETRY_AFTER_SECONDS)));
      return true;
    }
    exchange.counted = true;
    Route matched = route;
    String parameter = rawParameter;
    BodyReader.read(request, options.bodyLimitBytes(), options.http().readTimeout(), arrival, timer)
        .thenApplyAsync(body -> run(exchange, matched, parameter, body), workers)
        .thenCompose(data -> data)
        .whenComplete(
            (data, failure) -> {
              if (failure == null) {
                exchange.succeed(data);
              } else {
                exchange.fail(Futures.unwrap(failure));
              }
            });
    return true;
  }

  /** On a worker: authenticate, then the handler; a stage it returns is waited on, not blocked. */
  private CompletionStage<Object> run(
      Exchange exchange, Route route, String parameter, byte[] body) {
    try {
      org.eclipse.jetty.server.Request request = exchange.request;
      // A target that does not decode is malformed HTTP: 400 before anything else.
      String decoded = route.hasParameter() ? decodePathSegment(route, parameter) : null;
      Caller caller = authenticate(request.getHeaders().get(HttpHeader.AUTHORIZATION));
      Request view =
          new Request(
              caller,
              decoded,
              request.getHttpURI().getQuery(),
              request.getHeaders().get(HttpHeader.CONTENT_TYPE),
              request.getHeaders().get(HttpHeader.CONTENT_ENCODING),
              body,
              exchange.arrival);
      Object data = route.handler().handle(view);
      if (data instanceof CompletionStage<?> stage) {
        return stage.thenApply(value -> (Object) value);
      }
      return CompletableFuture.completedFuture(data);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      MDC.clear();
    }
  }

  private Caller authenticate(String authorization) {
    try {
      return authenticator.authenticate(authorization);
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
                Map.of("WWW-Authenticate", "Bearer realm=\"" + options.realm() + "\""));
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

  private static String decodePathSegment(Route route, String raw) {
    try {
      // A path keeps '+' literal; only percent-escapes are decoded, as strict UTF-8.
      return PercentDecoding.decode(raw, false);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(route.parameterName(), "malformed percent-encoding in the path");
    }
  }

  /**
   * The error as answered on {@code route}: an INTERNAL without a message of its own says the
   * route's.
   */
  private static ApiError onRoute(ApiError error, Route route) {
    if (route == null || error.code() != ErrorCode.INTERNAL || error.hasOwnMessage()) {
      return error;
    }
    return new ApiError(
        ErrorCode.INTERNAL, route.failureMessage(), error.details(), error.headers());
  }

  /** A request being answered: writes once, then counts and logs it. */
  private final class Exchange {
    final org.eclipse.jetty.server.Request request;
    final Response response;
    final Callback callback;
    final Route route;
    final long arrival;
    boolean counted;
    private final java.util.concurrent.atomic.AtomicBoolean answered =
        new java.util.concurrent.atomic.AtomicBoolean();

    Exchange(
        org.eclipse.jetty.server.Request request,
        Response response,
        Callback callback,
        Route route,
        long arrival) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.route = route;
      this.arrival = arrival;
    }

    void succeed(Object data) {
      int status = 200;
      if (data instanceof Accepted accepted) {
        status = 202;
        data = accepted.data();
      }
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("success", true);
      body.put("data", data);
      send(status, body, Map.of());
    }

    void fail(Throwable failure) {
      if (failure instanceof ApiError error) {
        send(error.code().status(), errorBody(onRoute(error, route)), error.headers());
        return;
      }
      log.error(
          "Request {} {} failed", request.getMethod(), route == null ? "?" : route.path(), failure);
      send(500, errorBody(onRoute(new ApiError(ErrorCode.INTERNAL), route)), Map.of());
    }

    private void send(int status, Object body, Map<String, String> headers) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      byte[] bytes;
      try {
        bytes = Json.bytes(body);
      } catch (RuntimeException e) {
        log.error("Cannot render the answer of {}", route == null ? "?" : route.path(), e);
        status = 500;
        bytes = Json.bytes(errorBody(onRoute(new ApiError(ErrorCode.INTERNAL), route)));
      }
      int answeredStatus = status;
      response.setStatus(status);
      headers.forEach((name, value) -> response.getHeaders().put(name, value));
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
      boolean head = request.getMethod().equals("HEAD");
      response.write(
          true,
          head ? null : ByteBuffer.wrap(bytes),
          Callback.from(
              () -> {
                done(answeredStatus);
                callback.succeeded();
              },
              failure -> {
                log.debug("Client went away before the {} answer was sent", answeredStatus);
                done(answeredStatus);
                callback.failed(failure);
              }));
    }

    private void done(int status) {
      if (counted) {
        inProgress.decrementAndGet();
      }
      long nanos = System.nanoTime() - arrival;
      String template = route == null ? "unmatched" : route.path();
      if (route != null) {
        // The route template, never the raw path: a path may carry anything a client sent.
        log.info(
            "{} {} answered {} in {} ms", request.getMethod(), template, status, nanos / 1_000_000);
      }
      observer.answered(template, request.getMethod(), status, nanos);
    }
  }
}
