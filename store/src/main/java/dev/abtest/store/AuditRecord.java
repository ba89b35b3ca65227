package dev.abtest.store;

import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.Outcome;
import java.time.Instant;

/**
 * One committed activation: which experiment, which workflow run, who asked (null when anonymous),
 * the status it left and when. {@code id} is assigned by the database (0 before insert).
 */
public record AuditRecord(
    long id,
    String experimentId,
    String workflowId,
    String runId,
    String requestedBy,
    ExperimentStatus previousStatus,
    Outcome outcome,
    Instant activatedAt) {

  /** Where the next page of history starts after this record. */
  public AuditCursor cursor() {
    return new AuditCursor(activatedAt, id);
  }
}
