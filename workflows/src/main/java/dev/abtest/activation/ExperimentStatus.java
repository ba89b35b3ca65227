package dev.abtest.activation;

/** The Prisma enum {@code "ExperimentStatus"}, in its declaration order. */
public enum ExperimentStatus {
  PENDING,
  ACTIVE,
  COMPLETED,
  STOPPED,
  FAILED;

  /**
   * Statuses an activation may start from: a first launch or a resume. The one spelling of the set
   * in Java (the write's SQL spells it too; {@code SnapshotWriteTest} proves them equal); every
   * other status but ACTIVE is terminal ({@code ActivationRules}).
   */
  public boolean isActivatable() {
    return this == PENDING || this == STOPPED;
  }
}
