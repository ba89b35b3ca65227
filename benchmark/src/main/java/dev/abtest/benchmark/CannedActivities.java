package dev.abtest.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationWriteActivities;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.WriteResult;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Both activities of the ceiling workflow: no I/O, they answer with rows shaped like the seeded
 * ones, so the payloads Temporal carries are as large as in a real activation.
 */
final class CannedActivities implements ValidationActivities, ActivationWriteActivities {
  private static final JsonNode CONFIGURATION = configuration();

  @Override
  public ValidationReport validate(String experimentId) {
    return new ValidationReport(
        ValidationReport.Verdict.VALID, row(experimentId, ExperimentStatus.PENDING), List.of());
  }

  @Override
  public ActivationResult activate(ActivationRequest request) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return ActivationResult.activated(
        row(request.experimentId(), ExperimentStatus.ACTIVE), ExperimentStatus.PENDING, now);
  }

  @Override
  public WriteResult writeSnapshot(SnapshotWrite write) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return WriteResult.written(
            row(write.experimentId(), ExperimentStatus.ACTIVE), ExperimentStatus.PENDING, now)
        .withWriteAttempts(1);
  }

  private static Experiment row(String id, ExperimentStatus status) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Experiment(
        id,
        "Benchmark " + id,
        null,
        now,
        now.plus(30, ChronoUnit.DAYS),
        status,
        CONFIGURATION,
        now,
        now);
  }

  private static JsonNode configuration() {
    try {
      return new ObjectMapper()
          .readTree("{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.5, 0.5]}");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
