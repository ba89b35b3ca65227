package dev.abtest.activation;

/**
 * What a run decided, as the audit table records it: every decision of a run for an existing
 * experiment leaves one record. {@link Outcome#NOT_FOUND} has no counterpart: there is no
 * experiment to audit (it stays in the Temporal history, the logs and the metrics).
 */
public enum DecisionOutcome {
  /** The run moved the experiment to ACTIVE (the committed transition). */
  ACTIVATED,
  /** The experiment was already ACTIVE; nothing written. */
  ALREADY_ACTIVE,
  /** The experiment cannot be activated; the record lists the violation codes. */
  REJECTED,
  /** A later activation was scheduled. */
  SCHEDULED,
  /** A pending schedule was moved to another time. */
  RESCHEDULED,
  /** A pending schedule was cancelled. */
  CANCELLED
}
