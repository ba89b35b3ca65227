package dev.abtest.activation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/** Experiment rows and activity answers the workflow tests feed to mocked activities. */
final class Samples {
  static final Instant CREATED = Instant.parse("2026-11-01T09:00:00.000Z");
  static final Instant ACTIVATED_AT = Instant.parse("2026-11-25T12:00:00.123Z");

  private Samples() {}

  static Experiment experiment(String id, ExperimentStatus status) {
    return experiment(
        id, status, "{\"variants\":[\"control\",\"treatment\"],\"distribution\":[0.5,0.5]}");
  }

  static Experiment experiment(String id, ExperimentStatus status, String configuration) {
    return new Experiment(
        id,
        "Checkout button colour",
        "Does a green button sell more?",
        null,
        Instant.parse("2027-01-01T00:00:00.000Z"),
        status,
        json(configuration),
        CREATED,
        CREATED);
  }

  static ValidationReport valid(String id) {
    return new ValidationReport(
        ValidationReport.Verdict.VALID, experiment(id, ExperimentStatus.PENDING), List.of());
  }

  static ValidationReport notFound() {
    return new ValidationReport(ValidationReport.Verdict.NOT_FOUND, null, List.of());
  }

  static ValidationReport alreadyActive(String id) {
    return new ValidationReport(
        ValidationReport.Verdict.ALREADY_ACTIVE,
        experiment(id, ExperimentStatus.ACTIVE),
        List.of());
  }

  static ValidationReport rejected(String id, List<Violation> violations) {
    return new ValidationReport(
        ValidationReport.Verdict.REJECTED,
        experiment(
            id,
            ExperimentStatus.PENDING,
            "{\"variants\":[\"control\",\"control\"],\"distribution\":[0.7,0.7]}"),
        violations);
  }

  static List<Violation> twoViolations() {
    return List.of(
        new Violation(ViolationCode.DUPLICATE_VARIANT_NAME, "variant name control appears twice"),
        new Violation(ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE, "weights sum to 1.4, not 1"));
  }

  static ActivationResult activated(String id) {
    Experiment before = experiment(id, ExperimentStatus.PENDING);
    Experiment after =
        new Experiment(
            id,
            before.name(),
            before.description(),
            ACTIVATED_AT,
            before.endDate(),
            ExperimentStatus.ACTIVE,
            before.configuration(),
            before.createdAt(),
            ACTIVATED_AT);
    return ActivationResult.activated(after, ExperimentStatus.PENDING, ACTIVATED_AT);
  }

  /** What the write reports for {@link #activated}: it wrote the approved row, first attempt. */
  static WriteResult written(String id) {
    ActivationResult activated = activated(id);
    return WriteResult.written(activated.experiment(), ExperimentStatus.PENDING, ACTIVATED_AT)
        .withWriteAttempts(1);
  }

  /** The write found the row changed since its validation, after {@code attempts} attempts. */
  static WriteResult rowChanged(Experiment current, int attempts) {
    return WriteResult.rowChanged(current).withWriteAttempts(attempts);
  }

  /** The write of the row {@link #valid} approved, by alice, in the first round. */
  static SnapshotWrite snapshotOf(String id) {
    return SnapshotWrite.of(valid(id).experiment(), "alice", 0);
  }

  static JsonNode json(String text) {
    try {
      return new ObjectMapper().readTree(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
