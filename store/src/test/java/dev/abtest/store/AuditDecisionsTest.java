package dev.abtest.store;

import static dev.abtest.activation.ExperimentStatus.ACTIVE;
import static dev.abtest.activation.ExperimentStatus.COMPLETED;
import static dev.abtest.activation.ExperimentStatus.PENDING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.ViolationCode;
import dev.abtest.testing.ExperimentRow;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;

/** The audit of every decision: what a record holds, idempotence per key, the constraints. */
class AuditDecisionsTest extends FreshStoreTest {
  private static Decision rejected(String id) {
    return new Decision(
        id,
        DecisionOutcome.REJECTED,
        "carol",
        COMPLETED,
        List.of(ViolationCode.STATUS_TERMINAL, ViolationCode.END_DATE_NOT_IN_FUTURE),
        0,
        null);
  }

  @Test
  void aRejectionIsRecordedWithItsViolationCodesWhoWhenAndWhichRun() {
    AuditRecord record = store.recordDecision(rejected("exp_r"), "wf-r", "run-r", "3");

    assertThat(record.id()).isPositive();
    assertThat(record.experimentId()).isEqualTo("exp_r");
    assertThat(record.outcome()).isEqualTo(DecisionOutcome.REJECTED);
    assertThat(record.violationCodes())
        .containsExactly("STATUS_TERMINAL", "END_DATE_NOT_IN_FUTURE");
    assertThat(record.requestedBy()).isEqualTo("carol");
    assertThat(record.previousStatus()).isEqualTo(COMPLETED);
    assertThat(record.workflowId()).isEqualTo("wf-r");
    assertThat(record.runId()).isEqualTo("run-r");
    assertThat(record.writeAttempts()).isZero();
    assertThat(record.activatedAt()).isNull();
    assertThat(record.decidedAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    assertThat(store.history("exp_r", 10, null).records()).containsExactly(record);
    assertThat(activations("exp_r")).isZero();
  }

  @Test
  void aRetriedRecordingWithTheSameKeyAddsNothing() {
    AuditRecord first = store.recordDecision(rejected("exp_retry"), "wf", "run", "5");
    AuditRecord again = store.recordDecision(rejected("exp_retry"), "wf", "run", "5");

    assertThat(again).isEqualTo(first);
    assertThat(store.history("exp_retry", 10, null).records()).hasSize(1);
  }

  @Test
  void oneRunMayRecordSeveralDecisionsUnderDifferentKeys() {
    Instant at = Instant.parse("2026-12-10T09:00:00Z");
    store.recordDecision(
        new Decision("exp_s", DecisionOutcome.SCHEDULED, "dan", PENDING, null, 0, at),
        "wf",
        "run",
        "1");
    AuditRecord moved =
        store.recordDecision(
            new Decision(
                "exp_s", DecisionOutcome.RESCHEDULED, "dan", PENDING, null, 0, at.plusSeconds(60)),
            "wf",
            "run",
            "2");
    store.activateIfActivatable("exp_s", "dan", "wf", "run", 1);

    assertThat(moved.scheduledFor()).isEqualTo(at.plusSeconds(60));
    assertThat(store.history("exp_s", 10, null).records())
        .extracting(AuditRecord::outcome)
        .containsExactly(DecisionOutcome.RESCHEDULED, DecisionOutcome.SCHEDULED);
    assertThat(store.history("exp_s", DecisionOutcome.SCHEDULED, 10, null).records())
        .singleElement()
        .satisfies(r -> assertThat(r.scheduledFor()).isEqualTo(at));
  }

  @Test
  void aScheduledRunStillActivatesOnceItsScheduleIsRecorded() {
    insert(ExperimentRow.of("exp_sched", PENDING));
    store.recordDecision(
        new Decision(
            "exp_sched",
            DecisionOutcome.SCHEDULED,
            null,
            PENDING,
            null,
            0,
            Instant.parse("2026-12-10T09:00:00Z")),
        "wf",
        "run",
        "1");

    assertThat(store.activateIfActivatable("exp_sched", null, "wf", "run", 2).kind().name())
        .isEqualTo("WRITTEN");

    AuditRecord activated =
        store.history("exp_sched", DecisionOutcome.ACTIVATED, 10, null).records().get(0);
    assertThat(activated.writeAttempts()).isEqualTo(2);
    assertThat(activated.decidedAt()).isEqualTo(activated.activatedAt());
    assertThat(store.find("exp_sched").orElseThrow().status()).isEqualTo(ACTIVE);
  }

  @Test
  void theDatabaseAllowsAtMostOneActivatedRecordPerRun() {
    AuditRowsForTests audit = database.jdbi().onDemand(AuditRowsForTests.class);
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    audit.insert(AuditRowsForTests.activated("exp_1", "wf", "run", null, PENDING, at, 1));

    AuditRecord second =
        new AuditRecord(
            0,
            "exp_1",
            "wf",
            "run",
            null,
            PENDING,
            DecisionOutcome.ACTIVATED,
            List.of(),
            at,
            at,
            1,
            null,
            "another-key");
    assertThatThrownBy(() -> audit.insert(second))
        .isInstanceOf(UnableToExecuteStatementException.class)
        .hasMessageContaining("experiment_activation_audit_one_activation_per_run");
  }

  @Test
  void theDatabaseRefusesAnUnknownOutcomeAndViolationsOutsideARejection() {
    database
        .jdbi()
        .useHandle(
            h -> {
              assertThatThrownBy(
                      () ->
                          h.execute(
                              "INSERT INTO experiment_activation_audit (experiment_id, workflow_id,"
                                  + " run_id, outcome, decision_key) VALUES ('e', 'w', 'r',"
                                  + " 'NOT_FOUND', 'k')"))
                  .hasMessageContaining("experiment_activation_audit_outcome_check");
              assertThatThrownBy(
                      () ->
                          h.execute(
                              "INSERT INTO experiment_activation_audit (experiment_id, workflow_id,"
                                  + " run_id, outcome, violation_codes, decision_key) VALUES ('e',"
                                  + " 'w', 'r', 'ALREADY_ACTIVE', '{STATUS_TERMINAL}', 'k')"))
                  .hasMessageContaining("experiment_activation_audit_violations_check");
            });
  }

  @Test
  void theActivationKeyIsReservedForTheWrite() {
    assertThatThrownBy(
            () -> store.recordDecision(rejected("exp"), "wf", "run", AuditRecord.ACTIVATION_KEY))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** How many transitions (ACTIVATED records) of the experiment are recorded. */
  private long activations(String experimentId) {
    return database.jdbi().onDemand(AuditRowsForTests.class).countActivations(experimentId);
  }
}
