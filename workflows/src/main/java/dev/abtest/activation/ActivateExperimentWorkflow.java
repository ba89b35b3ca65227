package dev.abtest.activation;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Activates one experiment: validate, then one conditional write; with {@code activateAt} in the
 * future, validate now, wait on a durable timer, then validate and write. Start it with {@link
 * Activation}, or through {@link ActivationClient}.
 */
@WorkflowInterface
public interface ActivateExperimentWorkflow {
  @WorkflowMethod(name = ActivationContract.WORKFLOW_TYPE)
  ActivationResult activate(ActivationRequest request);

  /**
   * Activates now: a pending schedule ends with this activation; a run that is already deciding
   * just shares its result. Returns the run's result.
   */
  @UpdateMethod(name = ActivationContract.UPDATE_ACTIVATE_NOW)
  ActivationResult activateNow(ActivateNowRequest request);

  @UpdateValidatorMethod(updateName = ActivationContract.UPDATE_ACTIVATE_NOW)
  void validateActivateNow(ActivateNowRequest request);

  /**
   * Sets (with the start of a new run) or moves the pending schedule, after validating the
   * experiment now. Fails with {@link ActivationFailures#NOT_SCHEDULED} (details: the {@link
   * ActivationResult} that explains why) when the experiment cannot be scheduled.
   */
  @UpdateMethod(name = ActivationContract.UPDATE_SCHEDULE)
  ActivationSchedule schedule(ScheduleRequest request);

  /** Refuses a missing, past or too distant time, and a run that is no longer waiting. */
  @UpdateValidatorMethod(updateName = ActivationContract.UPDATE_SCHEDULE)
  void validateSchedule(ScheduleRequest request);

  /** Cancels the pending schedule; the run ends with outcome CANCELLED, which this returns. */
  @UpdateMethod(name = ActivationContract.UPDATE_CANCEL)
  ActivationResult cancel(CancelRequest request);

  /** Refuses when no schedule is pending. */
  @UpdateValidatorMethod(updateName = ActivationContract.UPDATE_CANCEL)
  void validateCancel(CancelRequest request);

  /** The pending schedule, or null when none is pending. */
  @QueryMethod(name = ActivationContract.QUERY_SCHEDULE)
  ActivationSchedule pendingSchedule();
}
