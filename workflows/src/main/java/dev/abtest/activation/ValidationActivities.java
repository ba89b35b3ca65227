package dev.abtest.activation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Reads the experiment and checks every activation rule; writes nothing. */
@ActivityInterface
public interface ValidationActivities {
  @ActivityMethod(name = "ValidateExperiment")
  ValidationReport validate(String experimentId);
}
