package dev.abtest.activation.events;

import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import java.time.Instant;

/**
 * The {@code data} of an event. {@code at} is {@code activatedAt} for {@code experiment.activated}
 * and {@code activateAt} (the planned time) for the scheduling events; {@code experiment} is the
 * row after the change.
 */
public record ActivationEventData(
    String experimentId,
    ExperimentStatus previousStatus,
    ExperimentStatus status,
    String requestedBy,
    Instant at,
    String workflowId,
    String runId,
    Experiment experiment) {

  /** The data of {@code experiment.activated} for a committed activation. */
  public static ActivationEventData activated(
      ActivationResult result, String requestedBy, String workflowId, String runId) {
    return new ActivationEventData(
        result.experimentId(),
        result.previousStatus(),
        result.experiment() == null ? null : result.experiment().status(),
        requestedBy,
        result.activatedAt(),
        workflowId,
        runId,
        result.experiment());
  }
}
