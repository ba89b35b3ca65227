package dev.abtest.faults;

import dev.abtest.activation.ActivationContract;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.TemporalCli;
import dev.abtest.embedded.TemporalDevServer;
import dev.abtest.embedded.TemporalServers;
import dev.abtest.runtime.SearchAttributeSetup;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.ServiceProcess;
import dev.abtest.testing.WorkflowRuns;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The services a fault test runs against, all on 127.0.0.1: an embedded PostgreSQL, the Temporal
 * CLI's dev server (a real server, SQLite-backed) as a child process, the real worker and starter
 * as processes started from their jars.
 */
final class FaultStack implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  static final Path WORKER_JAR = jar("faults.workerJar", "../worker/target/worker.jar");
  static final Path STARTER_JAR = jar("faults.starterJar", "../starter/target/starter.jar");
  static final Path WORK_DIR =
      Path.of(System.getProperty("faults.workDir", "target/faults")).toAbsolutePath();

  /**
   * Starter settings for the load tests: on a shared 2-core CI machine under 32 clients, starting a
   * workflow can take longer than the default 3 s start timeout, which would answer 503 for an
   * overloaded machine rather than for a fault. TemporalOutageIT checks the prompt 503 itself.
   */
  static final Map<String, String> PATIENT_STARTER = Map.of("ACTIVATION_START_TIMEOUT", "15s");

  final EmbeddedPostgres postgres;
  private final PostgresDatabase postgresDatabase;
  final TemporalDevServer temporal;
  final Database database;
  final WorkflowServiceStubs stubs;
  final Path logDir;
  private final List<ServiceProcess> processes = new ArrayList<>();

  private FaultStack(
      PostgresDatabase postgresDatabase,
      TemporalDevServer temporal,
      Database database,
      WorkflowServiceStubs stubs,
      Path logDir) {
    this.postgresDatabase = postgresDatabase;
    this.postgres = postgresDatabase.server();
    this.temporal = temporal;
    this.database = database;
    this.stubs = stubs;
    this.logDir = logDir;
  }

  /** PostgreSQL (data under target/faults/{@code name}) and Temporal, migrated and registered. */
  static FaultStack start(String name) throws Exception {
    Path dir = WORK_DIR.resolve(name);
    // A server of its own (the tests stop it), a fresh migrated database.
    PostgresDatabase postgres = PostgresDatabase.create("faults-" + name, true, true);
    Database database =
        new Database(
            new DatabaseSettings(
                postgres.jdbcUrl(),
                postgres.user(),
                postgres.password(),
                4,
                DatabaseSettings.DEFAULT_CONNECTION_TIMEOUT));
    // The real server: its own sticky-queue timeout moves a killed worker's workflow tasks back to
    // the normal queue, and it can be stopped and started again with its database file.
    TemporalDevServer temporal =
        TemporalDevServer.start(
            TemporalDevServer.Options.of(
                    TemporalServers.cliForTests()
                        .orElseThrow(
                            () ->
                                new IllegalStateException(
                                    "the fault suite needs the Temporal CLI's dev server: "
                                        + TemporalCli.INSTALL_HINT)),
                    dir.resolve("temporal-dev-server.log"))
                .withDbFile(dir.resolve("temporal.db"))
                .fastAndUnsafe(true));
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
    new SearchAttributeSetup(stubs, "default", Duration.ofSeconds(10))
        .ensure(ActivationContract.SEARCH_ATTRIBUTES);
    return new FaultStack(postgres, temporal, database, stubs, dir.resolve("logs"));
  }

  /** The environment both processes read: the contract's settings, pointing at this stack. */
  Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("POSTGRESQL_URL", postgresDatabase.postgresqlUrl());
    env.put("TEMPORAL_ADDRESS", temporal.target());
    env.put("TEMPORAL_NAMESPACE", "default");
    env.put("TEMPORAL_TASK_QUEUE", ActivationContract.DEFAULT_TASK_QUEUE);
    env.put("AUTH_MODE", "none");
    env.put("LOG_LEVEL", "warn");
    return env;
  }

  ServiceProcess startWorker(Map<String, String> extra) throws Exception {
    Map<String, String> env = env();
    env.putAll(extra);
    return track(start("worker", WORKER_JAR, env));
  }

  ServiceProcess startStarter(Map<String, String> extra) throws Exception {
    Map<String, String> env = env();
    env.putAll(extra);
    return track(start("starter", STARTER_JAR, env));
  }

  /** {@code java -jar jar} on a free HTTP port, ready (GET /readyz = 200) when it returns. */
  private ServiceProcess start(String name, Path jar, Map<String, String> env) throws Exception {
    ServiceProcess process =
        ServiceProcess.jar(jar)
            .name(name)
            .jvmArgs("-Xmx256m")
            .env(env)
            .httpOnFreePort()
            .log(logDir.resolve(name + "-" + processes.size() + ".log"))
            .start();
    try {
      process.awaitReady(READY_TIMEOUT);
    } catch (Exception | Error e) {
      process.kill();
      throw e;
    }
    return process;
  }

  private ServiceProcess track(ServiceProcess process) {
    processes.add(process);
    return process;
  }

  /** Inserts {@code count} valid PENDING experiments {@code <prefix>-<i>}; returns their ids. */
  List<String> seedPending(String prefix, int count) {
    List<ExperimentRow> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      rows.add(ExperimentRow.pending(prefix + "-" + i).withName("Fault test " + prefix + "-" + i));
    }
    ExperimentRow.insertAll(database.dataSource(), rows);
    return rows.stream().map(ExperimentRow::id).toList();
  }

  /** What the database holds for the experiments {@code <prefix>-*}. */
  record Counts(
      long active, long auditRows, long experimentsAudited, long experimentsAuditedTwice) {}

  Counts counts(String prefix) throws SQLException {
    String like = prefix + "-%";
    return new Counts(
        count("SELECT count(*) FROM \"ABTest\" WHERE id LIKE ? AND status = 'ACTIVE'", like),
        count(
            "SELECT count(*) FROM experiment_activation_audit"
                + " WHERE experiment_id LIKE ? AND outcome = 'ACTIVATED'",
            like),
        count(
            "SELECT count(DISTINCT experiment_id) FROM experiment_activation_audit"
                + " WHERE experiment_id LIKE ? AND outcome = 'ACTIVATED'",
            like),
        count(
            "SELECT count(*) FROM (SELECT experiment_id FROM experiment_activation_audit"
                + " WHERE experiment_id LIKE ? AND outcome = 'ACTIVATED'"
                + " GROUP BY experiment_id HAVING count(*) > 1) twice",
            like));
  }

  private long count(String sql, String parameter) throws SQLException {
    try (Connection c = database.dataSource().getConnection();
        PreparedStatement query = c.prepareStatement(sql)) {
      query.setString(1, parameter);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Waits until the latest run of every experiment's activation workflow is closed; returns the
   * experiments whose run is still open (or never started) when {@code timeout} ran out.
   */
  List<String> awaitClosed(List<String> experimentIds, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> open = new ArrayList<>(experimentIds);
    while (true) {
      List<String> stillOpen = new ArrayList<>();
      for (String id : open) {
        if (!isClosed(id)) {
          stillOpen.add(id);
        }
      }
      open = stillOpen;
      if (open.isEmpty() || System.nanoTime() > deadline) {
        return open;
      }
      Thread.sleep(500);
    }
  }

  private List<HistoryEvent> history(String experimentId) {
    return stubs
        .blockingStub()
        .getWorkflowExecutionHistory(
            GetWorkflowExecutionHistoryRequest.newBuilder()
                .setNamespace("default")
                .setExecution(
                    WorkflowExecution.newBuilder()
                        .setWorkflowId(ActivationContract.workflowId(experimentId)))
                .build())
        .getHistory()
        .getEventsList();
  }

  /** What an open activation run is waiting for: pending workflow task and activities. */
  String describeOpen(String experimentId) {
    try {
      var response =
          WorkflowRuns.describe(stubs, ActivationContract.workflowId(experimentId), null);
      StringBuilder out =
          new StringBuilder(experimentId)
              .append(": ")
              .append(response.getWorkflowExecutionInfo().getStatus())
              .append(", history length ")
              .append(response.getWorkflowExecutionInfo().getHistoryLength());
      if (response.hasPendingWorkflowTask()) {
        out.append(", pending workflow task ")
            .append(response.getPendingWorkflowTask().getState())
            .append(" attempt ")
            .append(response.getPendingWorkflowTask().getAttempt());
      }
      response
          .getPendingActivitiesList()
          .forEach(
              a ->
                  out.append(", pending activity ")
                      .append(a.getActivityType().getName())
                      .append(' ')
                      .append(a.getState())
                      .append(" attempt ")
                      .append(a.getAttempt())
                      .append(
                          a.hasLastFailure()
                              ? " last failure " + a.getLastFailure().getMessage()
                              : ""));
      out.append(", events");
      history(experimentId)
          .forEach(
              e ->
                  out.append(' ')
                      .append(e.getEventType().name().replace("EVENT_TYPE_", ""))
                      .append('@')
                      .append(e.getEventTime().getSeconds() % 1000)
                      .append(
                          e.hasWorkflowTaskScheduledEventAttributes()
                              ? "("
                                  + e.getWorkflowTaskScheduledEventAttributes()
                                      .getTaskQueue()
                                      .getKind()
                                  + ")"
                              : ""));
      return out.toString();
    } catch (StatusRuntimeException e) {
      return experimentId + ": " + e.getStatus();
    }
  }

  private boolean isClosed(String experimentId) {
    try {
      WorkflowExecutionStatus status =
          WorkflowRuns.describe(stubs, ActivationContract.workflowId(experimentId), null)
              .getWorkflowExecutionInfo()
              .getStatus();
      return status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return false; // never started: counts as not done
      }
      throw e;
    }
  }

  private static Path jar(String property, String fallback) {
    return Path.of(System.getProperty(property, fallback)).toAbsolutePath().normalize();
  }

  @Override
  public void close() {
    for (ServiceProcess process : processes) {
      try {
        process.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    stubs.shutdownNow();
    temporal.close();
    database.close();
    postgresDatabase.close();
  }
}
