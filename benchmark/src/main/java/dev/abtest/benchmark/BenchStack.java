package dev.abtest.benchmark;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationPolicy;
import dev.abtest.activation.events.WebhookTargets;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.FileTrees;
import dev.abtest.embedded.TemporalDevServer;
import dev.abtest.embedded.TemporalServer;
import dev.abtest.runtime.SearchAttributeSetup;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.worker.ActivationTelemetry;
import dev.abtest.worker.ActivationWorker;
import dev.abtest.worker.activation.ActivationWriteActivitiesImpl;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.worker.WorkerOptions;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a run measures on one Temporal engine, wired by hand in this process: a pool on the
 * run's PostgreSQL (shared by the engines' stacks), the engine (the Java test server or the CLI's
 * dev server, both on loopback), a worker with the real workflow and activities (wrapped to be
 * timed) plus the ceiling workflow on its own queue, the real HTTP starter, and the original
 * route's design. The benchmark's own client and worker share service stubs whose gRPC calls are
 * counted.
 */
final class BenchStack implements AutoCloseable {
  static final String CEILING_QUEUE = "benchmark-activation-ceiling";

  final EmbeddedPostgres postgres;
  final TemporalServer temporal;

  /** Short name of the engine in ids and tables: {@code dev} or {@code test}. */
  final String engine;

  final RpcCounter rpcs;
  final Database database;
  final ActivationStore store;
  final WorkflowServiceStubs stubs;
  final WorkflowClient client;
  final ActivationClient activations;
  final ActivationClient ceiling;
  final TimedActivities timed;
  final WorkerFactory workers;
  final OriginalRoute originalRoute;
  final StarterHandle starter;
  final Seeder seeder;
  final String databaseName;
  final Tuning tuning;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  private BenchStack(
      EmbeddedPostgres postgres,
      TemporalServer temporal,
      String engine,
      RpcCounter rpcs,
      Database database,
      String databaseName,
      WorkflowServiceStubs stubs,
      WorkflowClient client,
      TimedActivities timed,
      WorkerFactory workers,
      OriginalRoute originalRoute,
      StarterHandle starter,
      Tuning tuning) {
    this.postgres = postgres;
    this.temporal = temporal;
    this.engine = engine;
    this.rpcs = rpcs;
    this.database = database;
    this.databaseName = databaseName;
    this.tuning = tuning;
    this.store = new ActivationStore(database.jdbi());
    this.stubs = stubs;
    this.client = client;
    this.activations = new ActivationClient(client, ActivationContract.DEFAULT_TASK_QUEUE);
    this.ceiling = new ActivationClient(client, CEILING_QUEUE);
    this.timed = timed;
    this.workers = workers;
    this.originalRoute = originalRoute;
    this.starter = starter;
    this.seeder = new Seeder(database.dataSource());
  }

  /** Starts a fresh PostgreSQL cluster under {@code directory} with one database for the run. */
  static EmbeddedPostgres startPostgres(Path directory, String databaseName) throws IOException {
    // A fresh cluster per run (the extracted binaries are kept): no bloat or settings from before.
    FileTrees.deleteRecursively(directory.resolve("data"));
    EmbeddedPostgres postgres = EmbeddedPostgres.builder().directory(directory).start();
    try {
      postgres.createDatabase(databaseName);
      return postgres;
    } catch (RuntimeException e) {
      postgres.close();
      throw e;
    }
  }

  /**
   * The stack of one engine on {@code temporal}, which it owns from then on (closes it), over the
   * run's database.
   */
  static BenchStack start(
      EmbeddedPostgres postgres,
      String databaseName,
      TemporalServer temporal,
      String engine,
      Tuning tuning,
      int timingCapacity)
      throws Exception {
    List<AutoCloseable> started = new ArrayList<>();
    started.add(temporal);
    try {
      Database database =
          new Database(
              new DatabaseSettings(
                  postgres.jdbcUrl(databaseName),
                  postgres.user(),
                  postgres.password(),
                  tuning.poolSize(),
                  DatabaseSettings.DEFAULT_CONNECTION_TIMEOUT));
      started.add(database);
      database.migrate();

      RpcCounter rpcs = new RpcCounter();
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget(temporal.target())
                  .setGrpcClientInterceptors(List.of(rpcs))
                  .build());
      started.add(stubs::shutdownNow);
      new SearchAttributeSetup(stubs, "default", Duration.ofSeconds(10))
          .ensure(ActivationContract.SEARCH_ATTRIBUTES);
      WorkflowClient client =
          WorkflowClient.newInstance(
              stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());

      TimedActivities timed = new TimedActivities(timingCapacity);
      WorkerFactory workers = startWorkers(client, database, timed, tuning);
      started.add(workers::shutdownNow);

      OriginalRoute originalRoute = new OriginalRoute(database.dataSource(), tuning.httpThreads());
      started.add(originalRoute);
      StarterHandle starter = StarterHandle.start(postgres, databaseName, temporal, tuning);
      started.add(starter);

      BenchStack stack =
          new BenchStack(
              postgres,
              temporal,
              engine,
              rpcs,
              database,
              databaseName,
              stubs,
              client,
              timed,
              workers,
              originalRoute,
              starter,
              tuning);
      stack.closeables.addAll(started);
      return stack;
    } catch (Exception | Error e) {
      closeAll(started);
      throw e;
    }
  }

  /** The engine's process id when it runs outside this JVM (the dev server), else -1. */
  long serverPid() {
    return temporal instanceof TemporalDevServer dev ? dev.pid() : -1;
  }

  /**
   * The worker as WorkerApp builds it (same workflow factory, activities and telemetry
   * interceptor), with the benchmark's tuning, the activities wrapped to be timed, and the ceiling
   * on its own queue with the same options.
   */
  private static WorkerFactory startWorkers(
      WorkflowClient client, Database database, TimedActivities timed, Tuning tuning) {
    WorkerFactoryOptions.Builder factoryOptions =
        WorkerFactoryOptions.newBuilder()
            .setWorkerInterceptors(new ActivationTelemetry(new SimpleMeterRegistry()));
    if (tuning.workflowCache() != 0) {
      factoryOptions.setWorkflowCacheSize(Math.max(0, tuning.workflowCache()));
    }
    WorkerFactory factory = WorkerFactory.newInstance(client, factoryOptions.build());
    WorkerOptions.Builder options = WorkerOptions.newBuilder();
    if (tuning.workflowPollers() > 0) {
      options.setMaxConcurrentWorkflowTaskPollers(tuning.workflowPollers());
    }
    if (tuning.activityPollers() > 0) {
      options.setMaxConcurrentActivityTaskPollers(tuning.activityPollers());
    }
    if (tuning.workflowSlots() > 0) {
      options.setMaxConcurrentWorkflowTaskExecutionSize(tuning.workflowSlots());
    }
    if (tuning.activitySlots() > 0) {
      options.setMaxConcurrentActivityExecutionSize(tuning.activitySlots());
    }
    ActivationPolicy policy = ActivationPolicy.defaults();
    ActivationStore store = new ActivationStore(database.jdbi());

    TimedActivities.TimedStore timedStore = timed.store(new ActivationWriteActivitiesImpl(store));
    ActivationWorker.register(
        factory.newWorker(ActivationContract.DEFAULT_TASK_QUEUE, options.build()),
        policy,
        WebhookTargets.none(),
        ActivationWorker.Activities.of(store, Clock.systemUTC())
            .withValidation(timed::validation)
            .withWrites(timedStore, timedStore));

    Worker ceilingWorker = factory.newWorker(CEILING_QUEUE, options.build());
    ceilingWorker.registerWorkflowImplementationFactory(
        CeilingWorkflow.class, () -> new CeilingWorkflowImpl(policy));
    ceilingWorker.registerActivitiesImplementations(new CannedActivities());

    factory.start();
    return factory;
  }

  URI starterUri() {
    return starter.activateUri();
  }

  /** Like {@link Seeder#pending}, with the engine's name in front so the stacks never collide. */
  List<String> pending(String prefix, int count) throws java.sql.SQLException {
    return seeder.pending(engine + "-" + prefix, count);
  }

  long auditRows(String idPrefix) throws java.sql.SQLException {
    return seeder.count(
        "SELECT count(*) FROM experiment_activation_audit"
            + " WHERE experiment_id LIKE ? AND outcome = 'ACTIVATED'",
        idPrefix + "-%");
  }

  @Override
  public void close() {
    closeAll(closeables);
  }

  private static void closeAll(List<AutoCloseable> started) {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        System.err.println("benchmark: closing " + started.get(i) + " failed: " + e);
      }
    }
  }
}
