package dev.abtest.benchmark;

import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The engine's ceiling: the activation workflow's exact code under another type, on its own task
 * queue, whose two activities return canned values of the same types and sizes. The difference to a
 * real activation is only the work inside the activities.
 */
@WorkflowInterface
public interface CeilingWorkflow {
  String TYPE = "BenchmarkActivationCeiling";

  @WorkflowMethod(name = TYPE)
  ActivationResult activate(ActivationRequest request);
}
