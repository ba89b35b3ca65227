package dev.abtest.benchmark;

import dev.abtest.activation.ActivateExperimentWorkflowImpl;
import dev.abtest.activation.ActivationPolicy;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;

/** Runs the real workflow code; only the activities behind its task queue differ. */
public class CeilingWorkflowImpl implements CeilingWorkflow {
  private final ActivateExperimentWorkflowImpl activation;

  public CeilingWorkflowImpl(ActivationPolicy policy) {
    this.activation = new ActivateExperimentWorkflowImpl(policy);
  }

  @Override
  public ActivationResult activate(ActivationRequest request) {
    return activation.activate(request);
  }
}
