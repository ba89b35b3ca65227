package dev.abtest.activation;

/** Application failure types that activities throw and the workflow understands. */
public final class ActivationFailures {
  /**
   * The request itself is invalid (for example an id that breaks the id rule): retrying cannot
   * help, so the retry policy never retries it and the workflow returns REJECTED.
   */
  public static final String INVALID_REQUEST = "InvalidActivationRequest";

  /**
   * The experiment's row changed between validation and write in every round the workflow allows
   * ({@code ActivateExperimentWorkflowImpl.MAX_WRITE_ROUNDS}) and still validates: nothing was
   * activated; the run fails and a later request tries again.
   */
  public static final String ROW_KEPT_CHANGING = "ExperimentRowKeptChanging";

  private ActivationFailures() {}
}
