package dev.abtest.activation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The activity of the one write (the worker's {@code ActivationWriteActivitiesImpl}, over the store
 * module's {@code ActivationStore}): a conditional UPDATE of the experiment and its audit row, in
 * one transaction. Safe to retry: an attempt after a commit whose reply was lost reports ACTIVATED
 * again and writes nothing. The activity type names are fixed by {@code @ActivityMethod(name)}, not
 * by the Java names: recorded histories refer to them.
 */
@ActivityInterface
public interface ActivationWriteActivities {
  /**
   * The write of runs started before the validated-snapshot write: conditional on the status alone.
   * Kept so that such runs, replayed on this worker, still find their activity.
   */
  @ActivityMethod(name = "ActivateExperimentRow")
  ActivationResult activate(ActivationRequest request);

  /**
   * The write conditional on the row still holding the status, configuration and end date the
   * validation approved, in one transaction with the ACTIVATED audit record. Reports what it did
   * ({@link WriteResult.Kind}); a row changed since the validation is left untouched.
   */
  @ActivityMethod(name = "WriteValidatedSnapshot")
  WriteResult writeSnapshot(SnapshotWrite write);
}
