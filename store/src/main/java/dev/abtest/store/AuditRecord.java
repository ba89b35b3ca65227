package dev.abtest.store;

import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.ExperimentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One decision of a workflow run for an experiment: which experiment, which run, who asked (null
 * when anonymous), what was decided and when. {@code id} is assigned by the database (0 before
 * insert).
 *
 * @param previousStatus the experiment's status when the run decided (the status an ACTIVATED run
 *     left); null when unknown
 * @param violationCodes the rule codes of a REJECTED decision (names of {@code ViolationCode}, kept
 *     as text so that a code added later still reads); empty otherwise
 * @param decidedAt when the decision was made (for ACTIVATED, the time of the transition)
 * @param activatedAt the time of the transition, for ACTIVATED only; null otherwise
 * @param writeAttempts how many attempts the write took; 0 when there was no write; null when
 *     unknown (records made before this was kept)
 * @param scheduledFor the activation time a SCHEDULED or RESCHEDULED decision set; null otherwise
 * @param decisionKey what makes recording idempotent: unique per (workflow id, run id)
 */
public record AuditRecord(
    long id,
    String experimentId,
    String workflowId,
    String runId,
    String requestedBy,
    ExperimentStatus previousStatus,
    DecisionOutcome outcome,
    List<String> violationCodes,
    Instant decidedAt,
    Instant activatedAt,
    Integer writeAttempts,
    Instant scheduledFor,
    String decisionKey) {

  /** The key of a run's ACTIVATED record (a run commits at most one transition). */
  public static final String ACTIVATION_KEY = "ACTIVATED";

  public AuditRecord {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(decidedAt, "decidedAt");
    Objects.requireNonNull(decisionKey, "decisionKey");
    violationCodes = violationCodes == null ? List.of() : List.copyOf(violationCodes);
  }

  /** Where the next page of history starts after this record. */
  public AuditCursor cursor() {
    return new AuditCursor(decidedAt, id);
  }
}
