package dev.abtest.starter;

import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationPolicy;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.events.WebhookTargets;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.FileTrees;
import dev.abtest.embedded.TemporalServer;
import dev.abtest.embedded.TemporalServers;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.SearchAttributeSetup;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.TestPolicies;
import dev.abtest.worker.ActivationWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Everything the starter's tests run against, started once per test run and shared: a real
 * PostgreSQL (embedded), the Temporal test server on loopback (suspendable), a real worker (the
 * workflow and the worker's activity implementations, fast retries) and a JWKS server. {@link
 * #starter} starts a real starter on a free port with any settings.
 *
 * <p>JUnit test classes get it as a parameter ({@code @ExtendWith(TestStack.Resolver.class)}),
 * jqwik properties from {@link #shared()}.
 */
final class TestStack implements AutoCloseable {
  static final String VALID_CONFIGURATION = ExperimentRow.VALID_CONFIGURATION;

  private static final AtomicInteger IDS = new AtomicInteger();
  private static final AtomicInteger STACKS = new AtomicInteger();

  private final Path dir;
  private final PostgresDatabase postgresDatabase;
  final TemporalServer temporal;
  final Database database;
  final Jdbi jdbi;
  final Tokens tokens;
  final String postgresqlUrl;
  private final WorkflowServiceStubs workerStubs;
  private final WorkerFactory workers;

  /** Run id to workflow id of every run the worker executed. */
  private final Map<String, String> runsStarted = new ConcurrentHashMap<>();

  private final StarterApp starter;
  final Api api;

  /**
   * A stack on a database of its own, on the JVM's PostgreSQL server, or on a server of its own
   * (with a Temporal server of its own anyway) for a class that stops them.
   */
  private TestStack(Class<?> owner, boolean ownPostgres) throws IOException {
    // One directory per test JVM: two builds of this tree may run at once.
    dir =
        Path.of(
            "target", "temporal-" + owner.getSimpleName() + "-" + ProcessHandle.current().pid());
    FileTrees.deleteRecursively(dir);
    postgresDatabase = PostgresDatabase.create(owner, true, ownPostgres);
    postgresqlUrl = postgresDatabase.postgresqlUrl();
    database = new Database(DatabaseSettings.parse(postgresqlUrl));
    jdbi = database.jdbi();

    // The CLI's dev server when installed (the test command installs it), else the test server.
    temporal = TemporalServers.forTests(dir.resolve("temporal"));
    workerStubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(temporal.target())
                .setConnectionBackoffResetFrequency(Duration.ofSeconds(2))
                .build());
    new SearchAttributeSetup(workerStubs, "default", Duration.ofSeconds(10))
        .ensure(ActivationContract.SEARCH_ATTRIBUTES);
    WorkflowClient client =
        WorkflowClient.newInstance(
            workerStubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    workers =
        WorkerFactory.newInstance(
            client,
            WorkerFactoryOptions.newBuilder().setWorkerInterceptors(new RunCounter()).build());
    registerWorker(
        workers.newWorker(ActivationContract.DEFAULT_TASK_QUEUE), TestPolicies.FAST_RETRIES);
    workers.start();

    tokens = Tokens.start();
    starter = starter(Map.of());
    api = new Api(starter.baseUri());
  }

  /** The worker's workflows and real activities, as the worker process registers them. */
  private void registerWorker(Worker worker, ActivationPolicy policy) {
    ActivationWorker.register(
        worker,
        policy,
        WebhookTargets.none(),
        ActivationWorker.Activities.of(new ActivationStore(jdbi), Clock.systemUTC()));
  }

  /** The PostgreSQL server, to stop and start: only a stack of its own ({@link #startOwn}) may. */
  EmbeddedPostgres postgres() {
    return postgresDatabase.server();
  }

  /**
   * The shared stack's default starter: JWT auth (HS256 secret and the JWKS), issuer and audience.
   */
  StarterApp defaultStarter() {
    return starter;
  }

  /** The settings of the default starter, to start another with some of them changed. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("HTTP_HOST", "127.0.0.1");
    env.put("HTTP_PORT", "0");
    env.put("TEMPORAL_ADDRESS", temporal.target());
    env.put("TEMPORAL_NAMESPACE", "default");
    env.put("POSTGRESQL_URL", postgresqlUrl);
    env.put("AUTH_MODE", "jwt");
    env.put("AUTH_JWT_SECRET", tokens.secret);
    env.put("AUTH_JWKS_URL", tokens.jwksUrl());
    env.put("AUTH_JWT_ISSUER", Tokens.ISSUER);
    env.put("AUTH_JWT_AUDIENCE", Tokens.AUDIENCE);
    env.put("ACTIVATION_WAIT_BUDGET", "20s");
    env.put("SHUTDOWN_DRAIN_TIMEOUT", "2s");
    return env;
  }

  /**
   * A started starter with the default settings changed by {@code overrides} (null value: unset).
   */
  StarterApp starter(Map<String, String> overrides) {
    Map<String, String> env = env();
    overrides.forEach(
        (name, value) -> {
          if (value == null) {
            env.remove(name);
          } else {
            env.put(name, value);
          }
        });
    return StarterApp.fromEnv(new Env(env)).start();
  }

  /** A token the default starter accepts, for {@code subject}. */
  String token(String subject) {
    return tokens.hs256(subject);
  }

  /** An experiment id no other test uses. */
  static String newId(String prefix) {
    return prefix
        + "_"
        + IDS.incrementAndGet()
        + "_"
        + Long.toString(System.nanoTime() % 1_000_000, 36);
  }

  /** Inserts a valid experiment (end date in 30 days) with this status; returns its id. */
  String insert(String prefix, ExperimentStatus status) {
    return insert(prefix, status, VALID_CONFIGURATION, Instant.now().plus(30, ChronoUnit.DAYS));
  }

  String insert(String prefix, ExperimentStatus status, String configuration, Instant endDate) {
    String id = newId(prefix);
    insertWithId(id, status, configuration, endDate);
    return id;
  }

  void insertWithId(String id, ExperimentStatus status, String configuration, Instant endDate) {
    ExperimentRow.of(id, status)
        .withConfiguration(configuration)
        .withEndDate(endDate)
        .insert(database.dataSource());
  }

  String status(String id) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery("SELECT status::text FROM \"ABTest\" WHERE id = :id")
                .bind("id", id)
                .mapTo(String.class)
                .findOne()
                .orElse(null));
  }

  /** Every experiment row as text, to prove that nothing changed. */
  List<String> allRows() {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT id || '|' || status::text || '|' || \"updatedAt\"::text"
                        + " || '|' || \"startDate\"::text FROM \"ABTest\" ORDER BY id")
                .mapTo(String.class)
                .list());
  }

  /** How many transitions (ACTIVATED records) the experiment has in the audit. */
  long auditCount(String experimentId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT count(*) FROM experiment_activation_audit"
                        + " WHERE experiment_id = :id AND outcome = 'ACTIVATED'")
                .bind("id", experimentId)
                .mapTo(Long.class)
                .one());
  }

  List<Map<String, Object>> auditRows(String experimentId) {
    return jdbi.withHandle(
        handle ->
            handle
                .createQuery(
                    "SELECT * FROM experiment_activation_audit WHERE experiment_id = :id"
                        + " ORDER BY decided_at, id")
                .bind("id", experimentId)
                .mapToMap()
                .list());
  }

  /** A client of the stack's Temporal server (the one its worker polls with). */
  WorkflowClient workflowClient() {
    return workers.getWorkflowClient();
  }

  /**
   * Another worker (same activities) polling {@code taskQueue} with {@code policy}: for runs whose
   * retries must run out quickly. Closing it stops it.
   */
  AutoCloseable extraWorker(String taskQueue, ActivationPolicy policy) {
    // Own stubs: the shared ones may still be backing off from an earlier outage test.
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    WorkerFactory factory =
        WorkerFactory.newInstance(
            WorkflowClient.newInstance(
                stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build()));
    registerWorker(factory.newWorker(taskQueue), policy);
    factory.start();
    return () -> {
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
      stubs.shutdownNow();
    };
  }

  /** Workflow runs the worker has executed since the stack started (each run counted once). */
  int runsStarted() {
    return runsStarted.size();
  }

  /** Runs the worker executed for this experiment's workflow id. */
  long runsStartedFor(String experimentId) {
    String workflowId = ActivationContract.workflowId(experimentId);
    return runsStarted.values().stream().filter(workflowId::equals).count();
  }

  private boolean closed;

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    starter.close();
    tokens.close();
    workers.shutdownNow();
    workers.awaitTermination(5, TimeUnit.SECONDS);
    workerStubs.shutdownNow();
    temporal.close();
    database.close();
    postgresDatabase.close();
    try {
      FileTrees.deleteRecursively(dir);
    } catch (IOException e) {
      // Left behind under target/: the next clean removes it.
    }
  }

  /** Counts distinct runs reaching the worker: the proof that a request started no workflow. */
  private final class RunCounter extends WorkerInterceptorBase {
    @Override
    public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
      return new WorkflowInboundCallsInterceptorBase(next) {
        @Override
        public WorkflowOutput execute(WorkflowInput input) {
          runsStarted.put(Workflow.getInfo().getRunId(), Workflow.getInfo().getWorkflowId());
          return super.execute(input);
        }
      };
    }
  }

  private static TestStack shared;

  /**
   * The one stack of this test JVM, started on first use and stopped when the JVM exits (JUnit and
   * jqwik engines share it, so neither engine's lifecycle can own it).
   */
  static synchronized TestStack shared() {
    if (shared == null) {
      try {
        shared = new TestStack(TestStack.class, false);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      TestStack stack = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "test-stack-shutdown"));
    }
    return shared;
  }

  /**
   * A stack of {@code owner}'s own, with its own PostgreSQL and Temporal servers: for a class that
   * stops them (never the shared stack's, which every other class uses). Closing it stops them.
   */
  static TestStack startOwn(Class<?> owner) {
    try {
      return new TestStack(owner, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Gives JUnit test classes the shared stack as a parameter. */
  static final class Resolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == TestStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return shared();
    }
  }
}
