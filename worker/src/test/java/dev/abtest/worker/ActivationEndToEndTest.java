package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.Outcome;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.TemporalServer;
import dev.abtest.embedded.TemporalServers;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import dev.abtest.testing.RowLocks;
import dev.abtest.testing.TestTemporal;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole activation against real components: an embedded PostgreSQL migrated by the store, the
 * Temporal CLI's dev server (the test server when no CLI is installed), the workflow and the real
 * activity implementations. Time skipping is off, so retries back off in real time as in production
 * (with short intervals to stay quick).
 */
@PostgresTest(ownServer = true)
class ActivationEndToEndTest {
  private static final Duration RESULT_TIMEOUT = Duration.ofSeconds(60);

  private static EmbeddedPostgres postgres;
  private static Database database;
  private static TemporalServer server;
  private static TestWorkflowEnvironment temporal;
  private static ActivationClient activations;

  /** Runs after the real validation of an experiment, before the write (the outage test's hook). */
  private static final AtomicReference<Map.Entry<String, Runnable>> afterValidation =
      new AtomicReference<>();

  @BeforeAll
  static void startEverything(PostgresDatabase migrated) throws IOException {
    // The class's own server: the outage tests stop it.
    postgres = migrated.server();
    database =
        new Database(
            DatabaseSettings.parse(migrated.postgresqlUrl())
                .withConnectionTimeout(Duration.ofSeconds(1)));
    Path dir = Path.of("target", "temporal-" + ActivationEndToEndTest.class.getSimpleName());
    ActivationStore store = new ActivationStore(database.jdbi());

    // The CLI's dev server when installed (the test command installs it), else the test server.
    TestEnvironmentOptions.Builder options =
        TestEnvironmentOptions.newBuilder().setUseTimeskipping(false);
    if (TemporalServers.cliForTests().isPresent()) {
      server = TemporalServers.forTests(dir.resolve("temporal"));
      options.setUseExternalService(true).setTarget(server.target());
    }
    temporal =
        TestTemporal.withSearchAttributes(TestWorkflowEnvironment.newInstance(options.build()));
    TestWorkers.register(
        temporal,
        ActivationWorker.Activities.of(store, Clock.systemUTC())
            .withValidation(HookedValidation::new));
    temporal.start();
    activations =
        new ActivationClient(temporal.getWorkflowClient(), ActivationContract.DEFAULT_TASK_QUEUE);
  }

  @AfterAll
  static void stopEverything() {
    if (temporal != null) {
      temporal.close();
    }
    if (server != null) {
      server.close();
    }
    if (database != null) {
      database.close();
    }
  }

  @AfterEach
  void databaseIsBackAndHooksAreCleared() {
    afterValidation.set(null);
    postgres.start();
  }

  @Test
  void pendingExperimentIsActivatedOnceAndReactivationFindsItActive() throws Exception {
    insert("e2e_pending", ExperimentStatus.PENDING, ExperimentRow.VALID_CONFIGURATION, inDays(30));

    ActivationClient.Started first = activations.start("e2e_pending", "alice");
    ActivationResult activated = first.result(RESULT_TIMEOUT);

    assertThat(activated.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(activated.previousStatus()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(activated.experiment().status()).isEqualTo(ExperimentStatus.ACTIVE);
    assertThat(activated.activatedAt()).isNotNull();
    assertThat(status("e2e_pending")).isEqualTo("ACTIVE");
    assertThat(auditRows("e2e_pending"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("workflow_id")).isEqualTo("activate-experiment:e2e_pending");
              assertThat(row.get("run_id")).isEqualTo(first.runId());
              assertThat(row.get("requested_by")).isEqualTo("alice");
              assertThat(row.get("previous_status")).isEqualTo("PENDING");
            });

    ActivationClient.Started second = activations.start("e2e_pending", "bob");
    ActivationResult again = second.result(RESULT_TIMEOUT);

    assertThat(second.runId()).isNotEqualTo(first.runId());
    assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_ACTIVE);
    assertThat(again.experiment().status()).isEqualTo(ExperimentStatus.ACTIVE);
    // The second run's decision is audited too: one transition, one ALREADY_ACTIVE.
    assertThat(auditRows("e2e_pending"))
        .extracting(
            row -> row.get("outcome"), row -> row.get("run_id"), row -> row.get("requested_by"))
        .containsExactly(
            tuple("ACTIVATED", first.runId(), "alice"),
            tuple("ALREADY_ACTIVE", second.runId(), "bob"));
  }

  @Test
  void stoppedExperimentIsResumedKeepingItsStartDate() throws Exception {
    Instant started = Instant.now().minus(10, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);
    insert(
        "e2e_stopped",
        ExperimentStatus.STOPPED,
        ExperimentRow.VALID_CONFIGURATION,
        inDays(30),
        started);

    ActivationResult result = activations.activate("e2e_stopped", null, RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(result.previousStatus()).isEqualTo(ExperimentStatus.STOPPED);
    assertThat(result.experiment().startDate()).isEqualTo(started);
    assertThat(auditRows("e2e_stopped")).hasSize(1);
  }

  @Test
  void unknownExperimentIsNotFound() throws Exception {
    ActivationResult result = activations.activate("e2e_missing", "alice", RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.NOT_FOUND);
    assertThat(result.experiment()).isNull();
    assertThat(auditRows("e2e_missing")).isEmpty();
  }

  @Test
  void badConfigurationIsRejectedWithEveryViolationAndNothingWritten() throws Exception {
    insert(
        "e2e_bad_config",
        ExperimentStatus.PENDING,
        "{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.7, 0.7]}",
        inDays(-1));

    ActivationResult result = activations.activate("e2e_bad_config", "alice", RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations())
        .extracting(Violation::code)
        .contains(ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE, ViolationCode.END_DATE_NOT_IN_FUTURE);
    assertThat(status("e2e_bad_config")).isEqualTo("PENDING");
    assertThat(auditRows("e2e_bad_config"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("outcome")).isEqualTo("REJECTED");
              assertThat(row.get("codes"))
                  .isEqualTo("WEIGHTS_DO_NOT_SUM_TO_ONE,END_DATE_NOT_IN_FUTURE");
              assertThat(row.get("write_attempts")).isEqualTo(0);
            });
  }

  @Test
  void completedExperimentIsRejectedAsTerminal() throws Exception {
    insert(
        "e2e_completed", ExperimentStatus.COMPLETED, ExperimentRow.VALID_CONFIGURATION, inDays(30));

    ActivationResult result = activations.activate("e2e_completed", "alice", RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations())
        .extracting(Violation::code)
        .contains(ViolationCode.STATUS_TERMINAL);
    assertThat(status("e2e_completed")).isEqualTo("COMPLETED");
  }

  @Test
  void activationStartedWhileTheDatabaseIsDownCompletesOnceItIsBack() throws Exception {
    insert(
        "e2e_outage_start",
        ExperimentStatus.PENDING,
        ExperimentRow.VALID_CONFIGURATION,
        inDays(30));
    postgres.stop();

    ActivationClient.Started started = activations.start("e2e_outage_start", "alice");
    awaitFailedAttempts(started, 2);
    assertThat(started.resultAsync()).isNotDone();
    postgres.start();

    ActivationResult result = started.result(RESULT_TIMEOUT);
    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(status("e2e_outage_start")).isEqualTo("ACTIVE");
    assertThat(auditRows("e2e_outage_start"))
        .singleElement()
        .satisfies(row -> assertThat(row.get("run_id")).isEqualTo(started.runId()));
  }

  @Test
  void databaseLostBetweenValidationAndWriteIsRetriedIntoExactlyOneTransition() throws Exception {
    insert(
        "e2e_outage_write",
        ExperimentStatus.PENDING,
        ExperimentRow.VALID_CONFIGURATION,
        inDays(30));
    // The validation passed against the live database; the write then meets the outage.
    afterValidation.set(Map.entry("e2e_outage_write", postgres::stop));

    ActivationClient.Started started = activations.start("e2e_outage_write", "alice");
    awaitFailedAttempts(started, 2);
    assertThat(pendingActivityTypes(started)).containsExactly("WriteValidatedSnapshot");
    postgres.start();

    ActivationResult result = started.result(RESULT_TIMEOUT);
    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(result.previousStatus()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(status("e2e_outage_write")).isEqualTo("ACTIVE");
    assertThat(auditRows("e2e_outage_write"))
        .singleElement()
        .satisfies(row -> assertThat(row.get("run_id")).isEqualTo(started.runId()));
  }

  @Test
  void aConfigurationBrokenBetweenValidationAndWriteIsRejectedAndTheRowLeftAsEdited()
      throws Exception {
    insert(
        "e2e_race_config", ExperimentStatus.PENDING, ExperimentRow.VALID_CONFIGURATION, inDays(30));
    String broken = "{\"variants\": [\"control\"], \"distribution\": [1]}";
    afterValidation.set(
        Map.entry(
            "e2e_race_config",
            () ->
                lockThenEdit(
                    "e2e_race_config",
                    "UPDATE \"ABTest\" SET configuration = '"
                        + broken
                        + "' WHERE id = 'e2e_race_config'")));

    ActivationClient.Started started = activations.start("e2e_race_config", "alice");
    ActivationResult result = started.result(RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations())
        .extracting(Violation::code)
        .containsExactly(ViolationCode.TOO_FEW_VARIANTS);
    assertThat(status("e2e_race_config")).isEqualTo("PENDING");
    assertThat(configuration("e2e_race_config")).isEqualTo(broken);
    assertThat(auditRows("e2e_race_config"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("outcome")).isEqualTo("REJECTED");
              assertThat(row.get("codes")).isEqualTo("TOO_FEW_VARIANTS");
              assertThat(row.get("run_id")).isEqualTo(started.runId());
              assertThat(row.get("requested_by")).isEqualTo("alice");
              assertThat(row.get("previous_status")).isEqualTo("PENDING");
              assertThat(row.get("write_attempts")).isEqualTo(1);
            });
  }

  @Test
  void anEndDateMovedIntoThePastBetweenValidationAndWriteIsRejected() throws Exception {
    insert("e2e_race_end", ExperimentStatus.STOPPED, ExperimentRow.VALID_CONFIGURATION, inDays(30));
    afterValidation.set(
        Map.entry(
            "e2e_race_end",
            () ->
                lockThenEdit(
                    "e2e_race_end",
                    "UPDATE \"ABTest\" SET \"endDate\" = '2020-01-01' WHERE id = 'e2e_race_end'")));

    ActivationResult result = activations.activate("e2e_race_end", "alice", RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations())
        .extracting(Violation::code)
        .containsExactly(ViolationCode.END_DATE_NOT_IN_FUTURE);
    assertThat(status("e2e_race_end")).isEqualTo("STOPPED");
    assertThat(auditRows("e2e_race_end"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("outcome")).isEqualTo("REJECTED");
              assertThat(row.get("codes")).isEqualTo("END_DATE_NOT_IN_FUTURE");
            });
  }

  @Test
  void anEditThatKeepsTheRowValidStillActivatesOnce() throws Exception {
    insert("e2e_race_ok", ExperimentStatus.PENDING, ExperimentRow.VALID_CONFIGURATION, inDays(30));
    String edited = "{\"variants\": [\"control\", \"green\"], \"distribution\": [0.4, 0.6]}";
    afterValidation.set(
        Map.entry(
            "e2e_race_ok",
            () ->
                lockThenEdit(
                    "e2e_race_ok",
                    "UPDATE \"ABTest\" SET configuration = '"
                        + edited
                        + "' WHERE id = 'e2e_race_ok'")));

    ActivationClient.Started started = activations.start("e2e_race_ok", "alice");
    ActivationResult result = started.result(RESULT_TIMEOUT);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(result.experiment().configuration().toString()).contains("green");
    assertThat(status("e2e_race_ok")).isEqualTo("ACTIVE");
    assertThat(configuration("e2e_race_ok")).isEqualTo(edited);
    assertThat(auditRows("e2e_race_ok"))
        .singleElement()
        .satisfies(
            row -> {
              assertThat(row.get("outcome")).isEqualTo("ACTIVATED");
              assertThat(row.get("run_id")).isEqualTo(started.runId());
              // The first write found the row changed; the second, after validating again, wrote.
              assertThat(row.get("write_attempts")).isEqualTo(2);
            });
  }

  /**
   * Takes the experiment's row lock in a transaction of its own and returns (so the validation
   * passes on the row as it was); once the write waits on that lock, applies {@code edit} and
   * commits, so the write meets the edited row.
   */
  private static void lockThenEdit(String id, String edit) {
    Handle editor = database.jdbi().open();
    editor.begin();
    editor
        .createQuery("SELECT id FROM \"ABTest\" WHERE id = :id FOR UPDATE")
        .bind("id", id)
        .mapTo(String.class)
        .one();
    Thread thread =
        new Thread(
            () -> {
              try (editor) {
                await()
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> RowLocks.waitingForALock(database.dataSource()) >= 1);
                editor.execute(edit);
                editor.commit();
              }
            },
            "row-editor");
    thread.setDaemon(true);
    thread.start();
  }

  private static String configuration(String id) {
    return database
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery("SELECT configuration::text FROM \"ABTest\" WHERE id = :id")
                    .bind("id", id)
                    .mapTo(String.class)
                    .one());
  }

  /**
   * Waits until the run's pending activity has failed {@code failures} times (the first failure may
   * be a pooled connection cut by the shutdown; later ones are refused connections).
   */
  private static void awaitFailedAttempts(ActivationClient.Started started, int failures) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                pendingActivities(started).stream()
                    .anyMatch(a -> a.getAttempt() > failures && a.hasLastFailure()));
  }

  private static List<PendingActivityInfo> pendingActivities(ActivationClient.Started started) {
    return started.stub().describe().getRawDescription().getPendingActivitiesList();
  }

  private static List<String> pendingActivityTypes(ActivationClient.Started started) {
    return pendingActivities(started).stream().map(a -> a.getActivityType().getName()).toList();
  }

  /** Stops the database after the real validation of one experiment (the rest pass through). */
  private record HookedValidation(ValidationActivities delegate) implements ValidationActivities {
    @Override
    public ValidationReport validate(String experimentId) {
      ValidationReport report = delegate.validate(experimentId);
      Map.Entry<String, Runnable> hook = afterValidation.get();
      if (hook != null && hook.getKey().equals(experimentId)) {
        afterValidation.set(null);
        hook.getValue().run();
      }
      return report;
    }
  }

  private static Instant inDays(int days) {
    return Instant.now().plus(days, ChronoUnit.DAYS).truncatedTo(ChronoUnit.MILLIS);
  }

  private static void insert(
      String id, ExperimentStatus status, String configuration, Instant end) {
    insert(id, status, configuration, end, inDays(-20));
  }

  private static void insert(
      String id, ExperimentStatus status, String configuration, Instant end, Instant start) {
    ExperimentRow.of(id, status)
        .withDescription("end-to-end")
        .withConfiguration(configuration)
        .withEndDate(end)
        .withStartDate(start)
        .insert(database.dataSource());
  }

  private static String status(String id) {
    return database
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery("SELECT status::text FROM \"ABTest\" WHERE id = :id")
                    .bind("id", id)
                    .mapTo(String.class)
                    .one());
  }

  private static List<Map<String, Object>> auditRows(String experimentId) {
    return database
        .jdbi()
        .withHandle(
            handle ->
                handle
                    .createQuery(
                        "SELECT workflow_id, run_id, requested_by, previous_status, outcome,"
                            + " array_to_string(violation_codes, ',') AS codes, write_attempts"
                            + " FROM experiment_activation_audit WHERE experiment_id = :id"
                            + " ORDER BY id")
                    .bind("id", experimentId)
                    .mapToMap()
                    .list());
  }
}
