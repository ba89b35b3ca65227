package dev.abtest.activation.events;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One event to one URL, in a run of its own: retried through a receiver's outage without holding
 * the activation's workflow id, visible attempt by attempt in the Web UI.
 */
@WorkflowInterface
public interface DeliverActivationEventWorkflow {
  String WORKFLOW_TYPE = "DeliverActivationEvent";

  /** Failure type of a delivery whose retry budget ran out. */
  String UNDELIVERED = "ActivationEventUndelivered";

  @WorkflowMethod(name = WORKFLOW_TYPE)
  DeliveryResult deliver(EventDelivery delivery);
}
