package dev.abtest.activation;

import dev.abtest.activation.events.ActivationEventData;
import dev.abtest.activation.events.ActivationEventType;
import dev.abtest.activation.events.ActivationEvents;
import dev.abtest.activation.events.WebhookTargets;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Validate, then write. Deterministic: all I/O happens in activities, and the only clock, logger
 * and state used here come from the Workflow API.
 */
public class ActivateExperimentWorkflowImpl implements ActivateExperimentWorkflow {
  private static final Logger log = Workflow.getLogger(ActivateExperimentWorkflowImpl.class);

  private final ActivationPolicy policy;
  private final ActivationEvents events;

  public ActivateExperimentWorkflowImpl() {
    this(ActivationPolicy.defaults());
  }

  public ActivateExperimentWorkflowImpl(ActivationPolicy policy) {
    this(policy, WebhookTargets.none());
  }

  /** With the URLs each committed activation's event is delivered to. */
  public ActivateExperimentWorkflowImpl(ActivationPolicy policy, WebhookTargets webhooks) {
    this.policy = policy;
    this.events = new ActivationEvents(webhooks);
  }

  @Override
  public ActivationResult activate(ActivationRequest request) {
    String rawId = request == null ? null : request.experimentId();
    Optional<String> idProblem = ExperimentIds.problem(rawId);
    if (idProblem.isPresent()) {
      // Another client may start us with any input: answer it like the HTTP edge would, never
      // retry.
      return finish(
          ActivationResult.rejected(
              rawId,
              null,
              List.of(new Violation(ViolationCode.INVALID_EXPERIMENT_ID, idProblem.get()))));
    }
    String experimentId = ExperimentIds.normalize(rawId);
    String requestedBy = request.requestedBy();
    if (Workflow.getTypedSearchAttributes().get(Activation.EXPERIMENT_ID) == null) {
      Workflow.upsertTypedSearchAttributes(Activation.EXPERIMENT_ID.valueSet(experimentId));
    }
    log.info("Activation of {} requested by {}", experimentId, describe(requestedBy));

    try {
      ValidationReport report = validation(experimentId).validate(experimentId);
      ActivationResult result =
          switch (report.verdict()) {
            case NOT_FOUND -> ActivationResult.notFound(experimentId);
            case ALREADY_ACTIVE -> ActivationResult.alreadyActive(report.experiment());
            case REJECTED ->
                ActivationResult.rejected(experimentId, report.experiment(), report.violations());
            case VALID ->
                store(experimentId, requestedBy)
                    .activate(new ActivationRequest(experimentId, requestedBy));
          };
      if (result.outcome() == Outcome.ACTIVATED) {
        // After the commit, and only for a change: no event for a run that changed nothing.
        WorkflowInfo info = Workflow.getInfo();
        events.emit(
            ActivationEventType.ACTIVATED,
            ActivationEventData.activated(
                result, requestedBy, info.getWorkflowId(), info.getRunId()));
      }
      return finish(result);
    } catch (ActivityFailure failure) {
      if (failure.getCause() instanceof ApplicationFailure cause
          && ActivationFailures.INVALID_REQUEST.equals(cause.getType())) {
        return finish(
            ActivationResult.rejected(
                experimentId,
                null,
                List.of(
                    new Violation(
                        ViolationCode.INVALID_EXPERIMENT_ID, cause.getOriginalMessage()))));
      }
      log.error(
          "Activation of {} failed after its retries: {}", experimentId, failure.getMessage());
      throw failure;
    }
  }

  private ValidationActivities validation(String experimentId) {
    return Workflow.newActivityStub(
        ValidationActivities.class,
        ActivityOptions.newBuilder(policy.activityOptions())
            .setSummary("Validate " + experimentId)
            .build());
  }

  private ActivationStoreActivities store(String experimentId, String requestedBy) {
    return Workflow.newActivityStub(
        ActivationStoreActivities.class,
        ActivityOptions.newBuilder(policy.activityOptions())
            .setSummary("Set " + experimentId + " ACTIVE for " + describe(requestedBy))
            .build());
  }

  private ActivationResult finish(ActivationResult result) {
    Workflow.upsertTypedSearchAttributes(
        Activation.ACTIVATION_OUTCOME.valueSet(result.outcome().name()));
    // An id that broke the id rule is caller input with control characters: never echo it to a log.
    String loggedId =
        ExperimentIds.problem(result.experimentId()).isEmpty()
            ? result.experimentId()
            : "an invalid experiment id";
    log.info("Activation of {} ended: {}", loggedId, result.outcome());
    return result;
  }

  private static String describe(String requestedBy) {
    return requestedBy == null ? "an anonymous caller" : requestedBy;
  }
}
