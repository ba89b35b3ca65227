package dev.abtest.worker.activation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationWriteActivities;
import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.Outcome;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.WriteResult;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.AuditRecord;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import dev.abtest.testing.TestTemporal;
import dev.abtest.worker.ActivationWorker;
import dev.abtest.worker.TestWorkers;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A commit whose reply is lost: the first attempt of the database activity commits, then fails as
 * if the worker died before reporting. Temporal retries it (the activity test environment cannot:
 * this runs on the Temporal test server), and the retry must report ACTIVATED without writing
 * again.
 */
@PostgresTest
class LostReplyRetryTest {
  private Database database;
  private ActivationStore store;
  private TestWorkflowEnvironment temporal;
  private final List<ActivityInfo> attempts = new CopyOnWriteArrayList<>();

  @BeforeEach
  void setUp(PostgresDatabase postgres) {
    database = new Database(DatabaseSettings.parse(postgres.another().postgresqlUrl()));
    store = new ActivationStore(database.jdbi());
    ActivationWriteActivitiesImpl real = new ActivationWriteActivitiesImpl(store);
    ActivationWriteActivities losesFirstReply =
        new ActivationWriteActivities() {
          @Override
          public ActivationResult activate(ActivationRequest request) {
            return losingFirstReply(() -> real.activate(request));
          }

          @Override
          public WriteResult writeSnapshot(SnapshotWrite write) {
            return losingFirstReply(() -> real.writeSnapshot(write));
          }
        };

    temporal = TestTemporal.withSearchAttributes(TestWorkflowEnvironment.newInstance());
    TestWorkers.register(
        temporal,
        ActivationWorker.Activities.of(store, Clock.systemUTC())
            .withWrites(losesFirstReply, real::recordDecision));
    temporal.start();
  }

  /** Runs the write; after its first attempt commits, fails as if the reply were lost. */
  private <T> T losingFirstReply(java.util.function.Supplier<T> write) {
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    attempts.add(info);
    T result = write.get();
    if (info.getAttempt() == 1) {
      throw new IllegalStateException("worker lost before reporting the committed write");
    }
    return result;
  }

  @AfterEach
  void tearDown() {
    temporal.close();
    database.close();
  }

  @Test
  void aRetryAfterACommitWhoseReplyWasLostReportsActivatedAndWritesOnce() throws Exception {
    insert(ExperimentRow.of("exp_lost", ExperimentStatus.PENDING));
    ActivationClient client = new ActivationClient(temporal.getWorkflowClient());

    ActivationClient.Started started = client.start("exp_lost", "alice");
    ActivationResult result = started.result(Duration.ofSeconds(30));

    assertThat(attempts).extracting(ActivityInfo::getAttempt).containsExactly(1, 2);
    assertThat(attempts).extracting(ActivityInfo::getWorkflowRunId).containsOnly(started.runId());
    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(result.previousStatus()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(store.history("exp_lost", DecisionOutcome.ACTIVATED, 10, null).records()).hasSize(1);
    AuditRecord record = store.history("exp_lost", 10, null).records().get(0);
    assertThat(record.runId()).isEqualTo(started.runId());
    assertThat(record.workflowId()).isEqualTo(ActivationContract.workflowId("exp_lost"));
    assertThat(record.requestedBy()).isEqualTo("alice");
    assertThat(result.activatedAt()).isEqualTo(record.activatedAt());
    // The first attempt committed; the second found its record and wrote nothing.
    assertThat(record.writeAttempts()).isEqualTo(1);
    assertThat(store.find("exp_lost").orElseThrow().updatedAt()).isEqualTo(record.activatedAt());
  }

  @Test
  void aNewRunAfterTheFirstCompletedFindsTheExperimentAlreadyActive() throws Exception {
    insert(ExperimentRow.of("exp_again", ExperimentStatus.STOPPED));
    ActivationClient client = new ActivationClient(temporal.getWorkflowClient());
    client.activate("exp_again", "alice", Duration.ofSeconds(30));

    ActivationResult second = client.activate("exp_again", "bob", Duration.ofSeconds(30));

    assertThat(second.outcome()).isEqualTo(Outcome.ALREADY_ACTIVE);
    assertThat(store.history("exp_again", DecisionOutcome.ACTIVATED, 10, null).records())
        .hasSize(1);
    assertThat(store.history("exp_again", 10, null).records())
        .extracting(r -> r.outcome().name(), r -> r.requestedBy())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("ALREADY_ACTIVE", "bob"),
            org.assertj.core.groups.Tuple.tuple("ACTIVATED", "alice"));
  }

  private void insert(ExperimentRow row) {
    row.insert(database.dataSource());
  }
}
