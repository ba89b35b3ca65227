package dev.abtest.starter;

import dev.abtest.activation.ActivationClient;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Metrics;
import dev.abtest.runtime.OpsEndpoints;
import dev.abtest.runtime.Readiness;
import dev.abtest.runtime.TemporalProbe;
import dev.abtest.starter.auth.AuthSettings;
import dev.abtest.starter.http.ActivationEndpoints;
import dev.abtest.starter.http.ApiServer;
import dev.abtest.starter.http.HistoryEndpoint;
import dev.abtest.starter.http.Route;
import dev.abtest.starter.openapi.OpenApiDocument;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP starter wired by hand: Temporal client, audit read pool, authenticator and HTTP server.
 * {@link StarterMain} runs it as a process; the dev stack and the tests construct it in-process.
 * The same lifecycle as the worker's {@code WorkerApp}: the constructor only keeps the
 * configuration, {@link #start()} connects and binds (closing again whatever it started when a step
 * fails), {@link #close()} drains and releases everything.
 */
public final class StarterApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StarterApp.class);

  private final StarterConfig config;
  private WorkflowServiceStubs stubs;
  private Database database;
  private Metrics metrics;
  private ScheduledExecutorService deadlines;
  private Readiness readiness;
  private ApiServer server;
  private boolean started;
  private boolean closed;

  public StarterApp(StarterConfig config) {
    this.config = config;
  }

  /**
   * Connects (lazily: Temporal may be down) and binds, in order. On failure, whatever was started
   * is closed again and the exception rethrown.
   *
   * @throws UncheckedIOException when the address cannot be bound
   */
  public synchronized StarterApp start() {
    if (started || closed) {
      throw new IllegalStateException("a StarterApp starts once");
    }
    started = true;
    try {
      startAll();
    } catch (RuntimeException | Error e) {
      closed = true;
      closeAll();
      throw e;
    }
    log.info("Starter listening on http://{}:{}", config.http().host(), server.port());
    log.info("Starter configuration: {}", config.describe());
    return this;
  }

  private void startAll() {
    if (config.auth().mode() == AuthSettings.Mode.NONE) {
      log.warn(
          "AUTH_MODE=none: authentication is OFF; anyone who can reach this port can activate"
              + " experiments. Never run it like this outside a local machine.");
    }
    var authenticator = config.auth().authenticator();
    metrics = new Metrics("starter");
    stubs = connect(config, metrics);
    WorkflowClient workflows = config.temporal().client(stubs);
    database = new Database(config.database());
    deadlines =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "temporal-call-deadlines");
              thread.setDaemon(true);
              return thread;
            });
    ActivationEndpoints activations =
        new ActivationEndpoints(
            new ActivationClient(
                workflows,
                config.temporal().taskQueue(),
                callTimeout(config),
                config.acceptTimeout()),
            config.waitBudget(),
            callTimeout(config));
    Gauge.builder("starter.activations.waiting", activations, ActivationEndpoints::waiting)
        .description("Activation requests waiting for their run's result (holding no thread)")
        .register(metrics.registry());
    List<Route> routes = new ArrayList<>(activations.routes());
    routes.add(new HistoryEndpoint(new ActivationStore(database.jdbi())).route());
    readiness =
        new Readiness()
            .add(TemporalProbe.check(stubs, Readiness.DEFAULT_TIMEOUT))
            .add("database", () -> database.isReachable(Readiness.DEFAULT_TIMEOUT));
    server =
        new ApiServer(
            new ApiServer.Options(
                config.http(),
                config.httpThreads(),
                config.bodyLimitBytes(),
                config.maxWaiting(),
                config.drainTimeout(),
                "experiments"),
            authenticator,
            routes,
            requestTimer(metrics.registry()),
            deadlines);
    OpsEndpoints ops = new OpsEndpoints(metrics, readiness);
    ops.routes().forEach(server::mount);
    server.mount(OpenApiDocument.PATH, OpenApiDocument.endpoint());
    server.start();
  }

  /**
   * HTTP requests by route template, method and status, with latency histograms. Methods outside
   * the usual set count as OTHER, so a client cannot create meters at will.
   */
  private static ApiServer.Observer requestTimer(MeterRegistry registry) {
    Set<String> methods = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    return (route, method, status, nanos) ->
        Timer.builder("starter.http.requests")
            .description("HTTP requests answered by the starter")
            .tags(
                "route",
                route,
                "method",
                methods.contains(method) ? method : "OTHER",
                "status",
                Integer.toString(status))
            .publishPercentileHistogram()
            .register(registry)
            .record(nanos, TimeUnit.NANOSECONDS);
  }

  public static StarterApp fromEnv(Env env) {
    return new StarterApp(StarterConfig.fromEnv(env));
  }

  /**
   * Stubs that stop retrying an unreachable Temporal after {@code startTimeout} (the SDK's default
   * is a minute), so a request answers 503 in about that time; each attempt keeps the normal RPC
   * timeout, so a slow but working server is not mistaken for a dead one.
   */
  static WorkflowServiceStubs connect(StarterConfig config, Metrics metrics) {
    Duration startTimeout = config.startTimeout();
    RpcRetryOptions retries =
        DefaultStubServiceOperationRpcRetryOptions.getBuilder().setExpiration(startTimeout).build();
    return config
        .temporal()
        .connectLazily(
            options ->
                options
                    .setRpcRetryOptions(retries)
                    .setSystemInfoTimeout(startTimeout)
                    .setConnectionBackoffResetFrequency(Duration.ofSeconds(5))
                    .setMetricsScope(metrics.temporalScope()));
  }

  /** The hard limit of one call to Temporal: the retry window plus one last attempt. */
  static Duration callTimeout(StarterConfig config) {
    return config.startTimeout().plus(config.temporal().rpcTimeout());
  }

  public synchronized int port() {
    requireStarted();
    return server.port();
  }

  public synchronized URI baseUri() {
    requireStarted();
    String host = config.http().host();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + server.port());
  }

  public synchronized Metrics metrics() {
    requireStarted();
    return metrics;
  }

  /** Whether Temporal and the database answer; false before {@link #start()}. */
  public boolean isReady() {
    Readiness current;
    synchronized (this) {
      current = readiness;
    }
    return current != null && current.isReady();
  }

  public StarterConfig config() {
    return config;
  }

  /** Stops accepting, drains requests in flight (bounded), then closes the clients. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    closeAll();
  }

  private void closeAll() {
    if (server != null) {
      server.close();
    }
    if (stubs != null) {
      stubs.shutdown();
      if (!stubs.awaitTermination(2, TimeUnit.SECONDS)) {
        stubs.shutdownNow();
      }
    }
    if (database != null) {
      database.close();
    }
    if (deadlines != null) {
      deadlines.shutdownNow();
    }
    if (readiness != null) {
      readiness.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    log.info("Starter stopped");
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException("the starter is not started");
    }
  }
}
