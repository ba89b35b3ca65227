package dev.abtest.activation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * The input of the validated-snapshot write: activate {@code experimentId} only while its row still
 * holds the status, {@code configuration} and {@code endDate} the validation approved.
 *
 * @param priorWriteAttempts write attempts the run made in earlier rounds (a row changed under
 *     them), so the ACTIVATED record counts every attempt the write took
 */
public record SnapshotWrite(
    String experimentId,
    String requestedBy,
    ExperimentStatus expectedStatus,
    JsonNode expectedConfiguration,
    Instant expectedEndDate,
    int priorWriteAttempts) {

  public SnapshotWrite {
    if (priorWriteAttempts < 0) {
      throw new IllegalArgumentException("priorWriteAttempts must not be negative");
    }
  }

  /** The write of the row a validation approved. */
  public static SnapshotWrite of(Experiment approved, String requestedBy, int priorWriteAttempts) {
    Objects.requireNonNull(approved, "approved");
    return new SnapshotWrite(
        approved.id(),
        requestedBy,
        approved.status(),
        approved.configuration(),
        approved.endDate(),
        priorWriteAttempts);
  }
}
