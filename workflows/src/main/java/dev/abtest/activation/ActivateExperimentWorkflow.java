package dev.abtest.activation;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Activates one experiment: validate, then one conditional write. Start it with {@link Activation}.
 */
@WorkflowInterface
public interface ActivateExperimentWorkflow {
  @WorkflowMethod(name = Activation.WORKFLOW_TYPE)
  ActivationResult activate(ActivationRequest request);
}
