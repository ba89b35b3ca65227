package dev.abtest.activation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The workflow result. {@code experiment} is the row after the activation (or as found, for
 * ALREADY_ACTIVE and REJECTED), null for NOT_FOUND. {@code previousStatus} and {@code activatedAt}
 * are set for ACTIVATED only. {@code schedule} is the schedule a CANCELLED run had (when it would
 * have activated, and who had scheduled it), null otherwise.
 */
public record ActivationResult(
    String experimentId,
    Outcome outcome,
    String message,
    List<Violation> violations,
    Experiment experiment,
    ExperimentStatus previousStatus,
    Instant activatedAt,
    ActivationSchedule schedule) {

  public ActivationResult {
    violations = violations == null ? List.of() : List.copyOf(violations);
  }

  public static ActivationResult activated(
      Experiment experiment, ExperimentStatus previousStatus, Instant activatedAt) {
    return new ActivationResult(
        experiment.id(),
        Outcome.ACTIVATED,
        "Experiment " + experiment.id() + " activated from " + previousStatus,
        List.of(),
        experiment,
        previousStatus,
        activatedAt,
        null);
  }

  public static ActivationResult alreadyActive(Experiment experiment) {
    return new ActivationResult(
        experiment.id(),
        Outcome.ALREADY_ACTIVE,
        "Experiment is already active",
        List.of(),
        experiment,
        null,
        null,
        null);
  }

  public static ActivationResult notFound(String experimentId) {
    return new ActivationResult(
        experimentId, Outcome.NOT_FOUND, "Experiment not found", List.of(), null, null, null, null);
  }

  public static ActivationResult rejected(
      String experimentId, Experiment experiment, List<Violation> violations) {
    return new ActivationResult(
        experimentId,
        Outcome.REJECTED,
        "Experiment cannot be activated",
        violations,
        experiment,
        null,
        null,
        null);
  }

  /** A pending schedule cancelled by {@code cancelledBy}; the row was not touched. */
  public static ActivationResult cancelled(
      String experimentId, ActivationSchedule schedule, String cancelledBy) {
    return new ActivationResult(
        experimentId,
        Outcome.CANCELLED,
        "Scheduled activation cancelled by "
            + (cancelledBy == null ? "an anonymous caller" : cancelledBy),
        List.of(),
        null,
        null,
        null,
        schedule);
  }

  /**
   * The result a validation's verdict stands for, when it is not VALID (a VALID report goes on to
   * the write).
   */
  public static ActivationResult decided(String experimentId, ValidationReport report) {
    return switch (report.verdict()) {
      case NOT_FOUND -> notFound(experimentId);
      case ALREADY_ACTIVE -> alreadyActive(report.experiment());
      case REJECTED -> rejected(experimentId, report.experiment(), report.violations());
      case VALID -> throw new IllegalArgumentException("a VALID report is not a result yet");
    };
  }

  /**
   * The outcome of a write that reached a verdict: ACTIVATED for this run's transition (NOT_FOUND
   * when the row has been deleted since), NOT_FOUND for no row; empty for ROW_CHANGED, which the
   * caller decides by validating again. The one mapping of {@link WriteResult} to an outcome.
   */
  public static Optional<ActivationResult> ofWrite(String experimentId, WriteResult write) {
    return switch (write.kind()) {
      case WRITTEN, ALREADY_WRITTEN_BY_THIS_RUN ->
          Optional.of(
              write.experiment() == null
                  ? notFound(experimentId)
                  : activated(write.experiment(), write.previousStatus(), write.activatedAt()));
      case NOT_FOUND -> Optional.of(notFound(experimentId));
      case ROW_CHANGED -> Optional.empty();
    };
  }
}
