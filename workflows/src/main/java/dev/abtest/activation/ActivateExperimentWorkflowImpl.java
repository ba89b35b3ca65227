package dev.abtest.activation;

import dev.abtest.activation.events.ActivationEventData;
import dev.abtest.activation.events.ActivationEventType;
import dev.abtest.activation.events.ActivationEvents;
import dev.abtest.activation.events.WebhookTargets;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * Validate, then write; with {@code activateAt} in the future, validate, record the schedule, wait
 * on a durable timer (moved, cut short or cancelled by the updates), then validate and write.
 * Deterministic: all I/O happens in activities, and the only clock, logger and state used here come
 * from the Workflow API.
 */
public class ActivateExperimentWorkflowImpl implements ActivateExperimentWorkflow {
  private static final Logger log = Workflow.getLogger(ActivateExperimentWorkflowImpl.class);

  /** The change id of the validated-snapshot write and the audit of every decision. */
  static final String VALIDATED_SNAPSHOT_CHANGE = "validated-snapshot-write";

  static final int VALIDATED_SNAPSHOT = 1;

  /** How many times a run writes before it gives up on a row that keeps changing under it. */
  static final int MAX_WRITE_ROUNDS = 3;

  /** The change that added scheduled activation; histories recorded before it have no marker. */
  static final String SCHEDULED_ACTIVATION_CHANGE = "scheduled-activation";

  /** Where the run is; the update handlers decide what they can do from it. */
  private enum Phase {
    /** Not yet known whether the run waits (the first validation is under way). */
    STARTING,
    /** Waiting for {@link #pending}. */
    SCHEDULED,
    /** Validating and writing (immediately, or because the time came). */
    DECIDING,
    /** {@link #result} is set. */
    DONE
  }

  private final ActivationPolicy policy;
  private final ActivationEvents events;

  private Phase phase = Phase.STARTING;
  private int snapshotVersion = Workflow.DEFAULT_VERSION;
  private String experimentId;
  private ActivationSchedule pending;
  private ExperimentStatus statusWhenScheduled;
  private Experiment experimentWhenScheduled;
  private ActivationResult result;

  /** A schedule update is validating or recording: the wait must not end under it. */
  private boolean changing;

  private boolean nowRequested;
  private String nowRequestedBy;
  private boolean cancelRequested;
  private String cancelledBy;

  public ActivateExperimentWorkflowImpl() {
    this(ActivationPolicy.defaults());
  }

  public ActivateExperimentWorkflowImpl(ActivationPolicy policy) {
    this(policy, WebhookTargets.none());
  }

  /** With the URLs each committed change's event is delivered to. */
  public ActivateExperimentWorkflowImpl(ActivationPolicy policy, WebhookTargets webhooks) {
    this.policy = policy;
    this.events = new ActivationEvents(webhooks);
  }

  @Override
  public ActivationResult activate(ActivationRequest request) {
    String rawId = request == null ? null : request.experimentId();
    try {
      experimentId = ExperimentId.parse(rawId).value();
    } catch (ExperimentId.Invalid invalid) {
      // Another client may start us with any input: answer it like the HTTP edge would, never
      // retry.
      return finish(
          ActivationResult.rejected(
              rawId,
              null,
              List.of(new Violation(ViolationCode.INVALID_EXPERIMENT_ID, invalid.problem()))));
    }
    String requestedBy = request.requestedBy();
    if (Workflow.getTypedSearchAttributes().get(ActivationContract.EXPERIMENT_ID) == null) {
      Workflow.upsertTypedSearchAttributes(ActivationContract.EXPERIMENT_ID.valueSet(experimentId));
    }
    log.info("Activation of {} requested by {}", experimentId, describe(requestedBy));

    try {
      snapshotVersion =
          Workflow.getVersion(
              VALIDATED_SNAPSHOT_CHANGE, Workflow.DEFAULT_VERSION, VALIDATED_SNAPSHOT);
      if (ScheduleRules.isLater(request.activateAt(), now())
          && Workflow.getVersion(SCHEDULED_ACTIVATION_CHANGE, Workflow.DEFAULT_VERSION, 1) >= 1) {
        return finish(scheduled(new ActivationSchedule(request.activateAt(), requestedBy)));
      }
      phase = Phase.DECIDING;
      return finish(decide(requestedBy));
    } catch (ActivityFailure failure) {
      // The id is checked above, so no activity refuses it now; the branch stays because recorded
      // runs took it (histories/invalid-request-from-activity.json) and must replay as they ran.
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
      stopListingAsScheduled();
      throw failure;
    }
  }

  /** Validate now, then the one conditional write: the immediate path, and the path at the time. */
  private ActivationResult decide(String requestedBy) {
    if (snapshotVersion == VALIDATED_SNAPSHOT) {
      return activateValidatedSnapshot(experimentId, requestedBy);
    }
    // Runs started before the validated-snapshot write replay (and go on) as they were made.
    ValidationReport report = validation().validate(experimentId);
    return switch (report.verdict()) {
      case NOT_FOUND -> ActivationResult.notFound(experimentId);
      case ALREADY_ACTIVE -> ActivationResult.alreadyActive(report.experiment());
      case REJECTED ->
          ActivationResult.rejected(experimentId, report.experiment(), report.violations());
      case VALID ->
          announceActivation(
              writes(requestedBy).activate(new ActivationRequest(experimentId, requestedBy)),
              requestedBy);
    };
  }

  /**
   * After the commit, and only for a change (no event for a run that changed nothing): each
   * configured webhook URL gets its own delivery run.
   */
  private ActivationResult announceActivation(ActivationResult result, String requestedBy) {
    if (result.outcome() == Outcome.ACTIVATED) {
      WorkflowInfo info = Workflow.getInfo();
      events.emit(
          ActivationEventType.ACTIVATED,
          ActivationEventData.activated(
              result, requestedBy, info.getWorkflowId(), info.getRunId()));
    }
    return result;
  }

  /**
   * The scheduled path: refuse now what would be refused at the time, record the schedule, wait
   * (the updates may move it, cut it short or cancel it), then decide as an immediate activation.
   */
  private ActivationResult scheduled(ActivationSchedule wanted) {
    Optional<ActivationResult> refusal = refusalToSchedule(wanted.activateAt());
    if (refusal.isPresent()) {
      ActivationResult refused = refusal.get();
      if (snapshotVersion == VALIDATED_SNAPSHOT
          && refused.outcome() != Outcome.NOT_FOUND
          && refused.experiment() != null) {
        audit(experimentId).recordDecision(Decision.of(refused, wanted.scheduledBy(), 0));
      }
      return refused;
    }
    pending = wanted;
    scheduleChanged(DecisionOutcome.SCHEDULED, wanted.scheduledBy());
    phase = Phase.SCHEDULED;
    waitForTheTime();
    phase = Phase.DECIDING;
    Workflow.upsertTypedSearchAttributes(ActivationContract.ACTIVATION_SCHEDULED_FOR.valueUnset());
    Workflow.setCurrentDetails(null);
    if (cancelRequested) {
      ActivationSchedule cancelled = pending;
      scheduleChanged(DecisionOutcome.CANCELLED, cancelledBy);
      pending = null;
      return ActivationResult.cancelled(experimentId, cancelled, cancelledBy);
    }
    String requestedBy = nowRequested ? nowRequestedBy : pending.scheduledBy();
    log.info(
        "Activation of {} scheduled for {}: deciding now for {}",
        experimentId,
        pending.activateAt(),
        describe(requestedBy));
    pending = null;
    return decide(requestedBy);
  }

  /**
   * Waits on a timer (with a summary the Web UI shows) until the pending time, an immediate
   * activation or a cancellation; a moved schedule starts a new timer.
   */
  private void waitForTheTime() {
    while (true) {
      ActivationSchedule waitingFor = pending;
      Duration left = Duration.between(now(), waitingFor.activateAt());
      List<Promise<Void>> timer = new ArrayList<>(1);
      CancellationScope scope =
          Workflow.newCancellationScope(
              () -> {
                if (!left.isNegative() && !left.isZero()) {
                  timer.add(
                      Workflow.newTimer(
                          left,
                          TimerOptions.newBuilder()
                              .setSummary(
                                  "Activate "
                                      + experimentId
                                      + " at "
                                      + waitingFor.activateAt()
                                      + " (scheduled by "
                                      + describe(waitingFor.scheduledBy())
                                      + ")")
                              .build()));
                }
              });
      scope.run();
      Workflow.await(
          () ->
              !changing
                  && (pending != waitingFor
                      || cancelRequested
                      || nowRequested
                      || timer.isEmpty()
                      || timer.get(0).isCompleted()));
      boolean moved = pending != waitingFor && !cancelRequested && !nowRequested;
      if (!timer.isEmpty() && !timer.get(0).isCompleted()) {
        scope.cancel();
      }
      if (!moved) {
        return;
      }
    }
  }

  /**
   * NOT_FOUND, ALREADY_ACTIVE or REJECTED (with the end date rule) when this time cannot be set.
   */
  private Optional<ActivationResult> refusalToSchedule(Instant activateAt) {
    ValidationReport report = validation().validate(experimentId);
    switch (report.verdict()) {
      case NOT_FOUND:
        return Optional.of(ActivationResult.notFound(experimentId));
      case ALREADY_ACTIVE:
        return Optional.of(ActivationResult.alreadyActive(report.experiment()));
      default:
        break;
    }
    List<Violation> violations = new ArrayList<>(report.violations());
    Experiment experiment = report.experiment();
    ScheduleRules.endDateViolation(activateAt, experiment.endDate()).ifPresent(violations::add);
    if (!violations.isEmpty()) {
      return Optional.of(ActivationResult.rejected(experimentId, experiment, violations));
    }
    statusWhenScheduled = experiment.status();
    experimentWhenScheduled = experiment;
    return Optional.empty();
  }

  /**
   * The one place where a schedule is recorded, moved or cancelled: the audit record commits first,
   * then what the Web UI and visibility show. Events about schedule changes (webhooks) are to be
   * emitted here, after the record.
   */
  private void scheduleChanged(DecisionOutcome change, String requestedBy) {
    Instant scheduledFor = change == DecisionOutcome.CANCELLED ? null : pending.activateAt();
    audit()
        .recordDecision(
            new Decision(
                experimentId,
                change,
                requestedBy,
                statusWhenScheduled,
                List.of(),
                0,
                scheduledFor));
    announceScheduleChange(change, requestedBy);
    if (change == DecisionOutcome.CANCELLED) {
      log.info("Scheduled activation of {} cancelled by {}", experimentId, describe(requestedBy));
      return;
    }
    Workflow.upsertTypedSearchAttributes(
        ActivationContract.ACTIVATION_SCHEDULED_FOR.valueSet(
            scheduledFor.atOffset(ZoneOffset.UTC)));
    // Listed with the run by visibility, so the schedules list needs no query per run.
    Workflow.upsertMemo(Map.of(ActivationContract.SCHEDULE_MEMO, pending));
    Workflow.setCurrentDetails(
        "**Scheduled activation** of `"
            + experimentId
            + "` at "
            + scheduledFor
            + ", scheduled by "
            + describe(pending.scheduledBy()));
    log.info(
        "Activation of {} {} for {} by {}",
        experimentId,
        change == DecisionOutcome.SCHEDULED ? "scheduled" : "rescheduled",
        scheduledFor,
        describe(requestedBy));
  }

  /** The schedule's event, after its audit record has committed (the row itself is unchanged). */
  private void announceScheduleChange(DecisionOutcome change, String requestedBy) {
    ActivationEventType type =
        switch (change) {
          case SCHEDULED -> ActivationEventType.SCHEDULED;
          case RESCHEDULED -> ActivationEventType.RESCHEDULED;
          case CANCELLED -> ActivationEventType.CANCELLED;
          default -> throw new IllegalArgumentException("not a schedule change: " + change);
        };
    WorkflowInfo info = Workflow.getInfo();
    events.emit(
        type,
        new ActivationEventData(
            experimentId,
            statusWhenScheduled,
            statusWhenScheduled,
            requestedBy,
            pending.activateAt(),
            info.getWorkflowId(),
            info.getRunId(),
            experimentWhenScheduled));
  }

  @Override
  public ActivationResult activateNow(ActivateNowRequest request) {
    Workflow.await(() -> phase != Phase.STARTING);
    if (phase == Phase.SCHEDULED && !cancelRequested && !nowRequested) {
      nowRequested = true;
      nowRequestedBy = request.requestedBy();
    }
    Workflow.await(() -> result != null);
    return result;
  }

  @Override
  public void validateActivateNow(ActivateNowRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("activateNow needs {\"requestedBy\": ...}");
    }
  }

  @Override
  public ActivationSchedule schedule(ScheduleRequest request) {
    Workflow.await(() -> phase != Phase.STARTING && !changing);
    if (phase == Phase.SCHEDULED && !cancelRequested && !nowRequested) {
      if (pending.activateAt().equals(request.activateAt())) {
        // The update that came with this run's start, or a repeat: the schedule stands as is.
        return pending;
      }
      changing = true;
      try {
        Optional<ActivationResult> refusal = refusalToSchedule(request.activateAt());
        if (refusal.isPresent()) {
          throw notScheduled(refusal.get());
        }
        pending = new ActivationSchedule(request.activateAt(), request.requestedBy());
        scheduleChanged(DecisionOutcome.RESCHEDULED, request.requestedBy());
        return pending;
      } finally {
        changing = false;
      }
    }
    Workflow.await(() -> result != null);
    throw notScheduled(result);
  }

  @Override
  public void validateSchedule(ScheduleRequest request) {
    if (request == null) {
      throw new IllegalArgumentException(
          "schedule needs {\"activateAt\": ..., \"requestedBy\": ...}");
    }
    Instant now = now();
    ScheduleRules.problem(request.activateAt(), now)
        .ifPresent(
            problem -> {
              throw new IllegalArgumentException(problem);
            });
    if (!request.activateAt().isAfter(now)) {
      throw new IllegalArgumentException("activateAt is not in the future; activate now instead");
    }
    if (phase == Phase.DECIDING || phase == Phase.DONE || cancelRequested || nowRequested) {
      throw new IllegalStateException(
          "This run is no longer waiting for a schedule: it is activating or has decided");
    }
  }

  @Override
  public ActivationResult cancel(CancelRequest request) {
    Workflow.await(() -> !changing);
    if (phase != Phase.SCHEDULED || cancelRequested || nowRequested) {
      throw ApplicationFailure.newNonRetryableFailure(
          "No scheduled activation for this experiment", ActivationFailures.NO_SCHEDULE);
    }
    cancelRequested = true;
    cancelledBy = request.requestedBy();
    Workflow.await(() -> result != null);
    return result;
  }

  @Override
  public void validateCancel(CancelRequest request) {
    if (request == null) {
      throw new IllegalArgumentException("cancel needs {\"requestedBy\": ...}");
    }
    if (phase != Phase.SCHEDULED || cancelRequested || nowRequested) {
      throw new IllegalStateException("No scheduled activation for this experiment");
    }
  }

  @Override
  public ActivationSchedule pendingSchedule() {
    return phase == Phase.SCHEDULED && !cancelRequested && !nowRequested ? pending : null;
  }

  private static ApplicationFailure notScheduled(ActivationResult because) {
    return ApplicationFailure.newNonRetryableFailure(
        "Not scheduled: " + because.outcome() + " (" + because.message() + ")",
        ActivationFailures.NOT_SCHEDULED,
        because);
  }

  /**
   * Validate, then write what the validation approved; a row changed in between is validated again
   * (at most {@link #MAX_WRITE_ROUNDS} writes), so a configuration broken meanwhile is never
   * activated. Every decision for an existing experiment is recorded: ACTIVATED by the write
   * itself, ALREADY_ACTIVE and REJECTED here (NOT_FOUND is not: there is no experiment to audit).
   */
  private ActivationResult activateValidatedSnapshot(String experimentId, String requestedBy) {
    ValidationActivities validation = validation();
    ActivationWriteActivities writes = writes(requestedBy);
    int writeAttempts = 0;
    ValidationReport report = validation.validate(experimentId);
    for (int round = 1; round <= MAX_WRITE_ROUNDS; round++) {
      if (report.verdict() != ValidationReport.Verdict.VALID) {
        return decided(experimentId, requestedBy, report, writeAttempts);
      }
      WriteResult write =
          writes.writeSnapshot(SnapshotWrite.of(report.experiment(), requestedBy, writeAttempts));
      writeAttempts = write.writeAttempts();
      Optional<ActivationResult> written = ActivationResult.ofWrite(experimentId, write);
      if (written.isPresent()) {
        return announceActivation(written.get(), requestedBy);
      }
      log.info(
          "The row of {} changed after its validation (write round {}): validating again",
          experimentId,
          round);
      report = validation.validate(experimentId);
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

  private ValidationActivities validation() {
    return Workflow.newActivityStub(
        ValidationActivities.class,
        ActivityOptions.newBuilder(policy.activityOptions())
            .setSummary("Validate " + experimentId)
            .build());
  }

  private ActivationWriteActivities writes(String requestedBy) {
    return Workflow.newActivityStub(
        ActivationWriteActivities.class,
        ActivityOptions.newBuilder(policy.activityOptions())
            .setSummary("Set " + experimentId + " ACTIVE for " + describe(requestedBy))
            .build());
  }

  private DecisionAuditActivities audit() {
    return Workflow.newActivityStub(
        DecisionAuditActivities.class,
        ActivityOptions.newBuilder(policy.activityOptions())
            .setSummary("Record the schedule of " + experimentId)
            .build());
  }

  private ActivationResult finish(ActivationResult result) {
    Workflow.upsertTypedSearchAttributes(
        ActivationContract.ACTIVATION_OUTCOME.valueSet(result.outcome().name()));
    stopListingAsScheduled();
    // An id that broke the id rule is caller input with control characters: never echo it to a log.
    String loggedId =
        ExperimentId.tryParse(result.experimentId()).isPresent()
            ? result.experimentId()
            : "an invalid experiment id";
    log.info("Activation of {} ended: {}", loggedId, result.outcome());
    this.result = result;
    phase = Phase.DONE;
    // Updates waiting for the result (activateNow, cancel) answer before the run closes.
    Workflow.await(Workflow::isEveryHandlerFinished);
    return result;
  }

  /**
   * A run started for a schedule carries {@code ActivationScheduledFor} from its start (so an
   * immediate request sees it at once); a run that ends without having waited (refused at the first
   * validation, or the time already passed) unsets it here. Guarded, so runs started without it
   * (every history recorded before) issue no command and replay unchanged.
   */
  private static void stopListingAsScheduled() {
    if (Workflow.getTypedSearchAttributes().get(ActivationContract.ACTIVATION_SCHEDULED_FOR)
        != null) {
      Workflow.upsertTypedSearchAttributes(
          ActivationContract.ACTIVATION_SCHEDULED_FOR.valueUnset());
    }
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  private static String describe(String requestedBy) {
    return requestedBy == null ? "an anonymous caller" : requestedBy;
  }
}
