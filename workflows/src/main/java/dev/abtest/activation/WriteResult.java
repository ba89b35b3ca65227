package dev.abtest.activation;

import java.time.Instant;
import java.util.Objects;

/**
 * What the conditional write did: not a business outcome (the workflow decides that), only what
 * happened to the row.
 *
 * @param experiment the row as written (WRITTEN), as it is now (ALREADY_WRITTEN_BY_THIS_RUN,
 *     ROW_CHANGED; null when it has been deleted since a run's write), null for NOT_FOUND
 * @param previousStatus the status the transition left (WRITTEN, ALREADY_WRITTEN_BY_THIS_RUN)
 * @param activatedAt the time of the transition (WRITTEN, ALREADY_WRITTEN_BY_THIS_RUN)
 * @param writeAttempts the attempts the write has taken so far, this one included
 */
public record WriteResult(
    Kind kind,
    Experiment experiment,
    ExperimentStatus previousStatus,
    Instant activatedAt,
    int writeAttempts) {

  public enum Kind {
    /** This attempt set the row ACTIVE and recorded the transition. */
    WRITTEN,
    /**
     * An earlier attempt of this run committed the transition (its reply was lost); nothing written
     * now.
     */
    ALREADY_WRITTEN_BY_THIS_RUN,
    /** The row no longer holds the approved status, configuration or end date; nothing written. */
    ROW_CHANGED,
    /** No such row; nothing written. */
    NOT_FOUND
  }

  public WriteResult {
    Objects.requireNonNull(kind, "kind");
  }

  public static WriteResult written(
      Experiment row, ExperimentStatus previousStatus, Instant activatedAt) {
    return new WriteResult(Kind.WRITTEN, row, previousStatus, activatedAt, 0);
  }

  public static WriteResult alreadyWrittenByThisRun(
      Experiment current, ExperimentStatus previousStatus, Instant activatedAt) {
    return new WriteResult(
        Kind.ALREADY_WRITTEN_BY_THIS_RUN, current, previousStatus, activatedAt, 0);
  }

  public static WriteResult rowChanged(Experiment current) {
    return new WriteResult(Kind.ROW_CHANGED, current, null, null, 0);
  }

  public static WriteResult notFound() {
    return new WriteResult(Kind.NOT_FOUND, null, null, null, 0);
  }

  /** This result, counting {@code attempts} write attempts. */
  public WriteResult withWriteAttempts(int attempts) {
    return new WriteResult(kind, experiment, previousStatus, activatedAt, attempts);
  }
}
