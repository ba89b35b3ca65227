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
 */
public final class StarterApp implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StarterApp.class);

  private final StarterConfig config;
  private final WorkflowServiceStubs stubs;
  private final WorkflowClient workflows;
  private final Database database;
  private final Metrics metrics;
  private final ScheduledExecutorService deadlines;
  private final Readiness readiness;
  private final ApiServer server;
  private boolean closed;

  public StarterApp(StarterConfig config) {
    this.config = config;
    if (config.auth().mode() == AuthSettings.Mode.NONE) {
      log.warn(
          "AUTH_MODE=none: authentication is OFF; anyone who can reach this port can activate"
              + " experiments. Never run it like this outside a local machine.");
    }
    var authenticator = config.auth().authenticator();
    this.metrics = new Metrics("starter");
    this.stubs = connect(config, metrics);
    this.workflows = config.temporal().client(stubs);
    this.database = new Database(config.database());
    this.deadlines =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "temporal-call-deadlines");
              thread.setDaemon(true);
              return thread;
            });
    ActivationEndpoints activations =
        new ActivationEndpoints(
            new ActivationClient(workflows, config.temporal().taskQueue()),
            workflows,
            config.waitBudget(),
            callTimeout(config),
            config.acceptTimeout(),
            deadlines);
    Gauge.builder("starter.activations.waiting", activations, ActivationEndpoints::waiting)
        .description("Activation requests waiting for their run's result (holding no thread)")
        .register(metrics.registry());
    List<Route> routes = new ArrayList<>(activations.routes());
    routes.add(new HistoryEndpoint(new ActivationStore(database.jdbi())).route());
    this.readiness =
        new Readiness()
            .add(TemporalProbe.check(stubs, Readiness.DEFAULT_TIMEOUT))
            .add("database", () -> database.isReachable(Readiness.DEFAULT_TIMEOUT));
    this.server =
        new ApiServer(
            new ApiServer.Options(
                config.http(),
                config.httpThreads(),
                config.bodyLimitBytes(),
                config.maxWaiting(),
                config.drainTimeout()),
            authenticator,
            routes,
            requestTimer(metrics.registry()),
            deadlines);
    OpsEndpoints ops = new OpsEndpoints(metrics, readiness);
    ops.routes().forEach(server::mount);
    server.mount(OpenApiDocument.PATH, OpenApiDocument.endpoint());
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

  /**
   * Binds and serves.
   *
   * @throws UncheckedIOException when the address cannot be bound; the clients are closed
   */
  public StarterApp start() {
    try {
      server.start();
    } catch (UncheckedIOException e) {
      synchronized (this) {
        closed = true;
      }
      server.close();
      closeClients();
      throw e;
    }
    log.info("Starter listening on http://{}:{}", config.http().host(), server.port());
    log.info("Starter configuration: {}", config.describe());
    return this;
  }

  public int port() {
    return server.port();
  }

  public URI baseUri() {
    String host = config.http().host();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + server.port());
  }

  public Metrics metrics() {
    return metrics;
  }

  public boolean isReady() {
    return readiness.isReady();
  }

  public StarterConfig config() {
    return config;
  }

  public WorkflowClient workflowClient() {
    return workflows;
  }

  /** Stops accepting, drains requests in flight (bounded), then closes the clients. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close();
    closeClients();
    log.info("Starter stopped");
  }

  private void closeClients() {
    stubs.shutdown();
    if (!stubs.awaitTermination(2, TimeUnit.SECONDS)) {
      stubs.shutdownNow();
    }
    database.close();
    deadlines.shutdownNow();
    if (readiness != null) {
      readiness.close();
    }
    metrics.close();
  }
}
