package dev.abtest.worker;

import dev.abtest.activation.ActivationContract;
import dev.abtest.runtime.Failures;
import dev.abtest.runtime.Metrics;
import dev.abtest.runtime.OpsEndpoints;
import dev.abtest.runtime.OpsHttp;
import dev.abtest.runtime.Readiness;
import dev.abtest.runtime.SearchAttributeSetup;
import dev.abtest.runtime.TemporalProbe;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.worker.events.ActivationEventActivitiesImpl;
import dev.abtest.worker.events.WebhookSigner;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker process, startable in any JVM: {@link WorkerMain} runs one, the dev stack runs one
 * beside the starter. {@link #start()} migrates the database, connects to Temporal, registers the
 * workflow and activities, starts polling and serves {@code /healthz}, {@code /readyz} and {@code
 * /metrics}; {@link #close()} drains in-flight tasks for up to the configured time and releases
 * everything.
 */
public final class WorkerApp implements AutoCloseable {
  /**
   * How long one readiness probe (database query, Temporal RPC) may take: below the readiness
   * timeout, so a dependency that does not answer shows as DOWN rather than TIMEOUT.
   */
  static final Duration PROBE_TIMEOUT = Duration.ofMillis(1500);

  private static final Logger log = LoggerFactory.getLogger(WorkerApp.class);

  private final WorkerConfig config;
  private final Clock clock;
  private final CountDownLatch closed = new CountDownLatch(1);
  private Metrics metrics;
  private Readiness readiness;
  private OpsHttp http;
  // Read by readiness probes on other threads while start-up sets them.
  private volatile Database database;
  private volatile WorkflowServiceStubs stubs;
  private volatile WorkerFactory factory;
  private volatile Worker worker;
  private boolean started;
  private boolean closing;

  public WorkerApp(WorkerConfig config) {
    this(config, Clock.systemUTC());
  }

  /** With another clock for the validation's end-date rule (tests). */
  public WorkerApp(WorkerConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * Starts everything, in order. On failure, whatever was started is closed again and the exception
   * is rethrown (a database that cannot be migrated, an HTTP port in use).
   */
  public synchronized WorkerApp start() {
    if (started || closing) {
      throw new IllegalStateException("a WorkerApp starts once");
    }
    started = true;
    try {
      startAll();
    } catch (RuntimeException | Error e) {
      closing = true;
      closeAll();
      closed.countDown();
      throw e;
    }
    return this;
  }

  private void startAll() {
    metrics = new Metrics("worker");
    // Probes read fields set later in start-up: until then a check reports DOWN, not an error.
    readiness =
        new Readiness()
            .add("database", () -> database != null && database.isReachable(PROBE_TIMEOUT))
            .add("temporal", () -> stubs != null && TemporalProbe.isReachable(stubs, PROBE_TIMEOUT))
            .add("worker", this::isPolling);
    // First, so /healthz answers (and /readyz says 503) while migrations and connections proceed.
    http = OpsHttp.start(config.http(), new OpsEndpoints(metrics, readiness));

    database = new Database(config.database());
    try {
      database.migrate();
    } catch (RuntimeException e) {
      // Flyway's own message spans many lines; the root cause says what is wrong in one.
      throw new IllegalStateException(
          "Database "
              + config.database().redactedUrl()
              + " could not be migrated: "
              + Failures.rootMessage(e),
          e);
    }
    ActivationStore store = new ActivationStore(database.jdbi());

    TemporalSettings temporal = config.temporal();
    // Lazy: the worker starts while Temporal is down and reconnects; readiness reports the outage.
    stubs = temporal.connectLazily(options -> options.setMetricsScope(metrics.temporalScope()));
    ensureSearchAttributes(temporal);

    WorkflowClient client = temporal.client(stubs);
    WorkerFactory newFactory =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder()
                .setWorkerInterceptors(new ActivationTelemetry(metrics.registry()))
                .build());
    worker =
        newFactory.newWorker(
            temporal.taskQueue(),
            WorkerOptions.newBuilder()
                .setMaxConcurrentActivityExecutionSize(config.maxConcurrentActivities())
                .setMaxConcurrentWorkflowTaskExecutionSize(config.maxConcurrentWorkflowTasks())
                .build());
    ActivationWorker.Activities activities = ActivationWorker.Activities.of(store, clock);
    if (config.webhooks().secret() != null) {
      // Without a key this worker cannot sign: deliveries wait for a worker that can.
      activities =
          activities.withEvents(
              new ActivationEventActivitiesImpl(
                  new WebhookSigner(config.webhooks().key()), Clock.systemUTC()));
    }
    ActivationWorker.register(worker, config.policy(), config.webhooks().targets(), activities);
    factory = newFactory;
    factory.start();

    log.info(
        "Worker ready: {}; database {}; retry budget {}; {}; ops endpoints on {}",
        temporal.describe(),
        config.database().redactedUrl(),
        config.retryBudget(),
        config.webhooks(),
        http.baseUrl());
  }

  private void ensureSearchAttributes(TemporalSettings temporal) {
    try {
      new SearchAttributeSetup(stubs, temporal.namespace(), temporal.rpcTimeout())
          .ensure(ActivationContract.SEARCH_ATTRIBUTES);
    } catch (StatusRuntimeException e) {
      log.warn(
          "Could not check search attributes ExperimentId and ActivationOutcome at {} ({});"
              + " continuing, activations need them",
          temporal.address(),
          e.getStatus().getCode());
    }
  }

  private boolean isPolling() {
    WorkerFactory current = factory;
    Worker currentWorker = worker;
    return current != null
        && currentWorker != null
        && current.isStarted()
        && !current.isShutdown()
        && !currentWorker.isSuspended();
  }

  public WorkerConfig config() {
    return config;
  }

  /** The bound port of the ops endpoints (the chosen one when HTTP_PORT is 0). */
  public synchronized int httpPort() {
    requireStarted();
    return http.port();
  }

  /** {@code http://host:port} of the ops endpoints. */
  public synchronized String opsUrl() {
    requireStarted();
    return http.baseUrl();
  }

  public synchronized Metrics metrics() {
    requireStarted();
    return metrics;
  }

  public synchronized Readiness readiness() {
    requireStarted();
    return readiness;
  }

  /** Blocks until {@link #close()} has finished. */
  public void awaitClosed() throws InterruptedException {
    closed.await();
  }

  /**
   * Stops polling, lets in-flight workflow and activity tasks finish for up to {@code
   * SHUTDOWN_DRAIN_TIMEOUT}, then interrupts what is left (Temporal retries those attempts on
   * another worker; each database write is one transaction, so nothing is half-written) and
   * releases the connections. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closing) {
        return;
      }
      closing = true;
    }
    try {
      closeAll();
    } finally {
      closed.countDown();
    }
  }

  private void closeAll() {
    if (factory != null) {
      Duration drain = config.drainTimeout();
      log.info("Draining: polling stopped, waiting up to {} for in-flight tasks", drain);
      long startedAt = System.nanoTime();
      factory.shutdown();
      factory.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
      if (factory.isTerminated()) {
        log.info("Drained in {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));
      } else {
        log.warn(
            "Drain timed out after {}: interrupting the tasks left; Temporal retries them", drain);
        factory.shutdownNow();
        factory.awaitTermination(5, TimeUnit.SECONDS);
      }
    }
    if (stubs != null) {
      stubs.shutdown();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (database != null) {
      database.close();
    }
    if (http != null) {
      http.close();
    }
    if (readiness != null) {
      readiness.close();
    }
    if (metrics != null) {
      metrics.close();
    }
    log.info("Worker stopped");
  }

  private void requireStarted() {
    if (http == null) {
      throw new IllegalStateException("the worker is not started");
    }
  }
}
