package dev.abtest.activation;

/** The Prisma enum {@code "ExperimentStatus"}, in its declaration order. */
public enum ExperimentStatus {
  PENDING,
  ACTIVE,
  COMPLETED,
  STOPPED,
  FAILED;

  /** Statuses an activation may start from: a first launch or a resume. */
  public boolean isActivatable() {
    return this == PENDING || this == STOPPED;
  }

  /** Statuses that can never become active again. */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED;
  }
}
