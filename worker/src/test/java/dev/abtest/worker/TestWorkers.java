package dev.abtest.worker;

import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.events.WebhookTargets;
import dev.abtest.testing.TestPolicies;
import io.temporal.testing.TestWorkflowEnvironment;

/** Workers for the worker module's workflow-level tests. */
public final class TestWorkers {
  private TestWorkers() {}

  /**
   * A worker on the contract's task queue of {@code temporal}, registered as {@link WorkerApp}
   * registers its own, with fast retries and no webhooks.
   */
  public static void register(
      TestWorkflowEnvironment temporal, ActivationWorker.Activities activities) {
    ActivationWorker.register(
        temporal.newWorker(ActivationContract.DEFAULT_TASK_QUEUE),
        TestPolicies.FAST_RETRIES,
        WebhookTargets.none(),
        activities);
  }
}
