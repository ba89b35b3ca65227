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

  /** The change id of the validated-snapshot write and the audit of every decision. */
  static final String VALIDATED_SNAPSHOT_CHANGE = "validated-snapshot-write";

  static final int VALIDATED_SNAPSHOT = 1;

  /** How many times a run writes before it gives up on a row that keeps changing under it. */
  static final int MAX_WRITE_ROUNDS = 3;

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
      int version =
          Workflow.getVersion(
              VALIDATED_SNAPSHOT_CHANGE, Workflow.DEFAULT_VERSION, VALIDATED_SNAPSHOT);
      if (version == VALIDATED_SNAPSHOT) {
        return finish(activateValidatedSnapshot(experimentId, requestedBy));
      }
      // Runs started before the validated-snapshot write replay (and go on) as they were made.
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
        announceActivation(result, requestedBy);
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

  /**
   * Validate, then write what the validation approved; a row changed in between is validated again
   * (at most {@link #MAX_WRITE_ROUNDS} writes), so a configuration broken meanwhile is never
   * activated. Every decision for an existing experiment is recorded: ACTIVATED by the write
   * itself, ALREADY_ACTIVE and REJECTED here (NOT_FOUND is not: there is no experiment to audit).
   */
  private ActivationResult activateValidatedSnapshot(String experimentId, String requestedBy) {
    ValidationActivities validation = validation(experimentId);
    ActivationStoreActivities store = store(experimentId, requestedBy);
    int writeAttempts = 0;
    ValidationReport report = validation.validate(experimentId);
    for (int round = 1; round <= MAX_WRITE_ROUNDS; round++) {
      if (report.verdict() != ValidationReport.Verdict.VALID) {
        return decided(experimentId, requestedBy, report, writeAttempts);
      }
      WriteResult write =
          store.writeSnapshot(SnapshotWrite.of(report.experiment(), requestedBy, writeAttempts));
      writeAttempts = write.writeAttempts();
      switch (write.kind()) {
        case WRITTEN, ALREADY_WRITTEN_BY_THIS_RUN -> {
          if (write.experiment() == null) {
            // The run's transition is recorded, but the row has been deleted since.
            return ActivationResult.notFound(experimentId);
          }
          return announceActivation(
              ActivationResult.activated(
                  write.experiment(), write.previousStatus(), write.activatedAt()),
              requestedBy);
        }
        case NOT_FOUND -> {
          return ActivationResult.notFound(experimentId);
        }
        case ROW_CHANGED -> {
          log.info(
              "The row of {} changed after its validation (write round {}): validating again",
              experimentId,
              round);
          report = validation.validate(experimentId);
        }
      }
    }
    if (report.verdict() != ValidationReport.Verdict.VALID) {
      return decided(experimentId, requestedBy, report, writeAttempts);
    }
    throw ApplicationFailure.newNonRetryableFailure(
        "The row of "
            + experimentId
            + " changed between validation and write "
            + MAX_WRITE_ROUNDS
            + " times; nothing was activated",
        ActivationFailures.ROW_KEPT_CHANGING);
  }

  /**
   * After the commit, and only for a change (no event for a run that changed nothing): each
   * configured webhook URL gets its own delivery run.
   */
  private ActivationResult announceActivation(ActivationResult result, String requestedBy) {
    WorkflowInfo info = Workflow.getInfo();
    events.emit(
        ActivationEventType.ACTIVATED,
        ActivationEventData.activated(result, requestedBy, info.getWorkflowId(), info.getRunId()));
    return result;
  }

  /** The result of a verdict other than VALID, recorded in the audit when the experiment exists. */
  private ActivationResult decided(
      String experimentId, String requestedBy, ValidationReport report, int writeAttempts) {
    ActivationResult result = ActivationResult.decided(experimentId, report);
    if (result.outcome() != Outcome.NOT_FOUND && result.experiment() != null) {
      audit(experimentId).recordDecision(Decision.of(result, requestedBy, writeAttempts));
    }
    return result;
  }

  private DecisionAuditActivities audit(String experimentId) {
    return Workflow.newActivityStub(
        DecisionAuditActivities.class,
        ActivityOptions.newBuilder(policy.activityOptions())
            .setSummary("Record the decision on " + experimentId)
            .build());
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
