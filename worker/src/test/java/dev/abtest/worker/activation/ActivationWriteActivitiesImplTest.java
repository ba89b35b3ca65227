package dev.abtest.worker.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationWriteActivities;
import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionAuditActivities;
import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.Outcome;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.ViolationCode;
import dev.abtest.activation.WriteResult;
import dev.abtest.store.AuditRecord;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresTest;
import dev.abtest.testing.TestPolicies;
import dev.abtest.worker.FreshActivityTest;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The database activity through Temporal's activity test environment, on a real PostgreSQL. */
@PostgresTest(ownServer = true)
class ActivationWriteActivitiesImplTest extends FreshActivityTest {
  private static final ActivityOptions ONE_ATTEMPT = TestPolicies.activityAttempts(1);

  private ActivationWriteActivities activities(ActivityOptions options) {
    env.registerActivitiesImplementations(new ActivationWriteActivitiesImpl(store));
    return env.newActivityStub(ActivationWriteActivities.class, options);
  }

  @Test
  void activatesAPendingExperimentAndAuditsItWithTheRunsIds() {
    insert(ExperimentRow.of("exp_1", ExperimentStatus.PENDING));

    ActivationResult result =
        activities(ONE_ATTEMPT).activate(new ActivationRequest(" exp_1 ", "alice"));

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(result.previousStatus()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(result.experiment().status()).isEqualTo(ExperimentStatus.ACTIVE);
    assertThat(result.experiment().startDate()).isEqualTo(result.activatedAt());
    AuditRecord record = store.history("exp_1", 10, null).records().get(0);
    assertThat(record.requestedBy()).isEqualTo("alice");
    assertThat(record.workflowId()).isEqualTo("test-workflow-id");
    assertThat(record.runId()).isNotBlank();
  }

  @Test
  void anotherRunFindsTheExperimentAlreadyActive() {
    insert(ExperimentRow.of("exp_2", ExperimentStatus.STOPPED));
    ActivationWriteActivities activities = activities(ONE_ATTEMPT);
    activities.activate(new ActivationRequest("exp_2", "alice"));

    // The test environment gives every call a new run id: this is a second activation request.
    ActivationResult again = activities.activate(new ActivationRequest("exp_2", "bob"));

    assertThat(again.outcome()).isEqualTo(Outcome.ALREADY_ACTIVE);
    assertThat(store.history("exp_2", DecisionOutcome.ACTIVATED, 10, null).records()).hasSize(1);
  }

  @Test
  void notFoundAndTerminalAreBusinessOutcomesNotFailures() {
    insert(ExperimentRow.of("exp_done", ExperimentStatus.COMPLETED));
    ActivationWriteActivities activities = activities(ONE_ATTEMPT);

    ActivationResult missing = activities.activate(new ActivationRequest("exp_missing", null));
    ActivationResult done = activities.activate(new ActivationRequest("exp_done", null));

    assertThat(missing.outcome()).isEqualTo(Outcome.NOT_FOUND);
    assertThat(done.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(done.violations())
        .extracting(v -> v.code())
        .containsExactly(ViolationCode.STATUS_TERMINAL);
  }

  @Test
  void anInvalidIdFailsWithoutRetryAsAnInvalidRequest() {
    AtomicInteger attempts = new AtomicInteger();
    ActivationWriteActivitiesImpl real = new ActivationWriteActivitiesImpl(store);
    ActivationWriteActivities counting =
        new ActivationWriteActivities() {
          @Override
          public ActivationResult activate(ActivationRequest request) {
            attempts.incrementAndGet();
            return real.activate(request);
          }

          @Override
          public WriteResult writeSnapshot(SnapshotWrite write) {
            attempts.incrementAndGet();
            return real.writeSnapshot(write);
          }
        };
    env.registerActivitiesImplementations(counting);
    ActivationWriteActivities activities =
        env.newActivityStub(ActivationWriteActivities.class, TestPolicies.activityAttempts(5));

    assertInvalidRequest(() -> activities.activate(new ActivationRequest("  ", "alice")), "blank");
    assertThat(attempts).hasValue(1);
  }

  private static ActivationResult activateRetrying(
      ActivationWriteActivities activities, ActivationRequest request) {
    ActivityFailure last = null;
    for (int attempt = 1; attempt <= 5; attempt++) {
      try {
        return activities.activate(request);
      } catch (ActivityFailure failure) {
        last = failure;
      }
    }
    throw last;
  }

  @Test
  void aDatabaseOutageFailsTheAttemptFastAndRetryablyAndARetryAfterwardsActivates() {
    insert(ExperimentRow.of("exp_down", ExperimentStatus.PENDING));
    ActivationWriteActivities activities = activities(ONE_ATTEMPT);
    postgres.server().stop();
    try {
      long start = System.nanoTime();
      assertThatThrownBy(() -> activities.activate(new ActivationRequest("exp_down", "alice")))
          .isInstanceOf(ActivityFailure.class)
          .cause()
          .isInstanceOfSatisfying(
              ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isFalse());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    } finally {
      postgres.server().start();
    }

    // The attempt after the restart may still meet a pooled connection the restart cut; like
    // Temporal, this retries failed attempts (the test environment itself does not retry).
    ActivationResult retried =
        activateRetrying(activities, new ActivationRequest("exp_down", "alice"));

    assertThat(retried.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(store.history("exp_down", DecisionOutcome.ACTIVATED, 10, null).records()).hasSize(1);
  }

  @Test
  void theValidatedSnapshotIsWrittenAndItsAttemptsCountedWithThoseOfEarlierRounds() {
    insert(ExperimentRow.of("exp_snap", ExperimentStatus.PENDING));
    Experiment approved = store.find("exp_snap").orElseThrow();

    WriteResult result =
        activities(ONE_ATTEMPT).writeSnapshot(SnapshotWrite.of(approved, "alice", 2));

    assertThat(result.kind()).isEqualTo(WriteResult.Kind.WRITTEN);
    assertThat(result.writeAttempts()).isEqualTo(3);
    AuditRecord record = store.history("exp_snap", 10, null).records().get(0);
    assertThat(record.writeAttempts()).isEqualTo(3);
    assertThat(record.requestedBy()).isEqualTo("alice");
  }

  @Test
  void aSnapshotTheRowNoLongerHoldsIsNotWritten() {
    insert(ExperimentRow.of("exp_moved", ExperimentStatus.PENDING));
    Experiment approved = store.find("exp_moved").orElseThrow();
    database
        .jdbi()
        .useHandle(
            h ->
                h.execute(
                    "UPDATE \"ABTest\" SET \"endDate\" = '2020-01-01' WHERE id = 'exp_moved'"));

    WriteResult result =
        activities(ONE_ATTEMPT).writeSnapshot(SnapshotWrite.of(approved, "alice", 0));

    assertThat(result.kind()).isEqualTo(WriteResult.Kind.ROW_CHANGED);
    assertThat(store.find("exp_moved").orElseThrow().status()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(store.history("exp_moved", 10, null).records()).isEmpty();
  }

  @Test
  void aDecisionIsRecordedForTheCallingRunUnderItsActivityId() {
    env.registerActivitiesImplementations(new ActivationWriteActivitiesImpl(store));
    DecisionAuditActivities audit = env.newActivityStub(DecisionAuditActivities.class, ONE_ATTEMPT);

    audit.recordDecision(
        new Decision(
            " exp_audit ",
            DecisionOutcome.REJECTED,
            "erin",
            ExperimentStatus.FAILED,
            List.of(ViolationCode.STATUS_TERMINAL),
            0,
            null));

    AuditRecord record = store.history("exp_audit", 10, null).records().get(0);
    assertThat(record.outcome()).isEqualTo(DecisionOutcome.REJECTED);
    assertThat(record.violationCodes()).containsExactly("STATUS_TERMINAL");
    assertThat(record.requestedBy()).isEqualTo("erin");
    assertThat(record.previousStatus()).isEqualTo(ExperimentStatus.FAILED);
    assertThat(record.workflowId()).isEqualTo("test-workflow-id");
    assertThat(record.runId()).isNotBlank();
    assertThat(record.decisionKey()).isNotBlank().isNotEqualTo(AuditRecord.ACTIVATION_KEY);
  }

  @Test
  void aDecisionForAnInvalidIdFailsWithoutRetry() {
    env.registerActivitiesImplementations(new ActivationWriteActivitiesImpl(store));
    DecisionAuditActivities audit = env.newActivityStub(DecisionAuditActivities.class, ONE_ATTEMPT);

    assertInvalidRequest(
        () ->
            audit.recordDecision(
                new Decision(
                    "bad\u0000id", DecisionOutcome.ALREADY_ACTIVE, null, null, null, 0, null)),
        "");
  }
}
