package dev.abtest.activation;

import dev.abtest.activation.events.DeliverActivationEventWorkflowImpl;
import dev.abtest.activation.events.WebhookTargets;
import io.temporal.worker.Worker;

/**
 * The workflow types a worker of this project serves, registered in one place: the worker process,
 * the benchmark and every test that runs the workflows call this (the activities come from the
 * worker module's {@code ActivationWorker}, or from a workflow test's mocks).
 */
public final class ActivationWorkflows {
  private ActivationWorkflows() {}

  /**
   * Registers {@link ActivateExperimentWorkflow} (activities timed and retried by {@code policy},
   * events delivered to {@code webhooks}) and the event delivery child workflow.
   */
  public static void register(Worker worker, ActivationPolicy policy, WebhookTargets webhooks) {
    worker.registerWorkflowImplementationFactory(
        ActivateExperimentWorkflow.class,
        () -> new ActivateExperimentWorkflowImpl(policy, webhooks));
    worker.registerWorkflowImplementationTypes(DeliverActivationEventWorkflowImpl.class);
  }
}
