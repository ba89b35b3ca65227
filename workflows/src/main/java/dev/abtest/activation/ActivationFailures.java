package dev.abtest.activation;

/** Application failure types that activities throw and the workflow understands. */
public final class ActivationFailures {
  /**
   * The request itself is invalid (for example an id that breaks the id rule): retrying cannot
   * help, so the retry policy never retries it and the workflow returns REJECTED.
   */
  public static final String INVALID_REQUEST = "InvalidActivationRequest";

  private ActivationFailures() {}
}
