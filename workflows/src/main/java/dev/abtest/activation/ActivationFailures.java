package dev.abtest.activation;

/** Application failure types that activities throw and the workflow understands. */
public final class ActivationFailures {
  /**
   * The request itself is invalid (for example an id that breaks the id rule): retrying cannot
   * help, so the retry policy never retries it and the workflow returns REJECTED.
   */
  public static final String INVALID_REQUEST = "InvalidActivationRequest";

  /**
   * A {@code schedule} update that could not set a schedule: the experiment would be rejected, is
   * already active or does not exist, or the run is no longer waiting. The failure's details hold
   * the {@link ActivationResult} that says why.
   */
  public static final String NOT_SCHEDULED = "ActivationNotScheduled";

  /** A {@code cancel} update that found no pending schedule (the run stopped waiting meanwhile). */
  public static final String NO_SCHEDULE = "NoScheduledActivation";

  /**
   * The experiment's row changed between validation and write in every round the workflow allows
   * ({@code ActivateExperimentWorkflowImpl.MAX_WRITE_ROUNDS}) and still validates: nothing was
   * activated; the run fails and a later request tries again.
   */
  public static final String ROW_KEPT_CHANGING = "ExperimentRowKeptChanging";

  private ActivationFailures() {}
}
