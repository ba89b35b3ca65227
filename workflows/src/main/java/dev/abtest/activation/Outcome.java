package dev.abtest.activation;

/** What an activation ended with. Every value is a business result, never a workflow failure. */
public enum Outcome {
  /** The experiment moved to ACTIVE (by this run; a retried commit still reports it). */
  ACTIVATED,
  /** The experiment was already ACTIVE; nothing was written. */
  ALREADY_ACTIVE,
  /** No experiment with this id. */
  NOT_FOUND,
  /** The experiment cannot be activated; {@link ActivationResult#violations()} says why. */
  REJECTED,
  /** A scheduled activation was cancelled before its time; nothing was written to the row. */
  CANCELLED
}
