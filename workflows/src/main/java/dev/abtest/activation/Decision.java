package dev.abtest.activation;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A decision of a run that the audit records without writing the experiment row: ALREADY_ACTIVE,
 * REJECTED (with its violation codes), and the schedule's SCHEDULED, RESCHEDULED and CANCELLED.
 * ACTIVATED is recorded by the write itself, in the transaction of the transition.
 *
 * @param previousStatus the experiment's status when the decision was made; null when unknown (e.g.
 *     a schedule cancelled after the row was deleted)
 * @param violations for REJECTED, the violated rules (at least one); empty otherwise
 * @param writeAttempts how many attempts the write took before this decision (0 when there was no
 *     write); null when unknown
 * @param scheduledFor for SCHEDULED and RESCHEDULED, the activation time set; null otherwise
 */
public record Decision(
    String experimentId,
    DecisionOutcome outcome,
    String requestedBy,
    ExperimentStatus previousStatus,
    List<ViolationCode> violations,
    Integer writeAttempts,
    Instant scheduledFor) {

  public Decision {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(outcome, "outcome");
    violations = violations == null ? List.of() : List.copyOf(violations);
    if (outcome == DecisionOutcome.ACTIVATED) {
      throw new IllegalArgumentException("ACTIVATED is recorded by the write, not as a decision");
    }
    if (outcome == DecisionOutcome.REJECTED && violations.isEmpty()) {
      throw new IllegalArgumentException("a REJECTED decision names at least one violation");
    }
    if (outcome != DecisionOutcome.REJECTED && !violations.isEmpty()) {
      throw new IllegalArgumentException("only a REJECTED decision has violations");
    }
    if (writeAttempts != null && writeAttempts < 0) {
      throw new IllegalArgumentException("writeAttempts must not be negative");
    }
  }

  /** The decision an ALREADY_ACTIVE or REJECTED result stands for. */
  public static Decision of(ActivationResult result, String requestedBy, int writeAttempts) {
    Objects.requireNonNull(result, "result");
    DecisionOutcome outcome =
        switch (result.outcome()) {
          case ALREADY_ACTIVE -> DecisionOutcome.ALREADY_ACTIVE;
          case REJECTED -> DecisionOutcome.REJECTED;
          default ->
              throw new IllegalArgumentException(
                  result.outcome() + " is not recorded as a decision");
        };
    ExperimentStatus status = result.experiment() == null ? null : result.experiment().status();
    return new Decision(
        result.experimentId(),
        outcome,
        requestedBy,
        status,
        result.violations().stream().map(Violation::code).toList(),
        writeAttempts,
        null);
  }
}
