package dev.abtest.activation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * The one write: a conditional UPDATE of the experiment and its audit row, in one transaction. Safe
 * to retry: an attempt after a commit whose reply was lost reports ACTIVATED again and writes
 * nothing.
 */
@ActivityInterface
public interface ActivationStoreActivities {
  @ActivityMethod(name = "ActivateExperimentRow")
  ActivationResult activate(ActivationRequest request);
}
