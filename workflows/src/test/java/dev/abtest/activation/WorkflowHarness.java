package dev.abtest.activation;

import dev.abtest.activation.events.WebhookTargets;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import org.mockito.Mockito;

/**
 * A Temporal test server with the activation workflow (built with a given policy) and the given
 * activity implementations registered on the contract's task queue.
 */
final class WorkflowHarness implements AutoCloseable {
  /** Short backoff so retries take milliseconds; a generous attempt timeout and budget. */
  static final ActivationPolicy FAST_POLICY =
      new ActivationPolicy(
          Duration.ofSeconds(20),
          Duration.ofMillis(10),
          Duration.ofMillis(100),
          Duration.ofMinutes(10));

  /**
   * Retries that run out within 2 s (the module's tests cannot use test-support, which depends on
   * this module; its tests use {@code TestPolicies}).
   */
  static final ActivationPolicy EXHAUSTED_IN_TWO_SECONDS =
      new ActivationPolicy(
          Duration.ofSeconds(1),
          Duration.ofMillis(50),
          Duration.ofMillis(200),
          Duration.ofSeconds(2));

  /**
   * A mock of an activity interface: the annotations are left off the mock's class, so the worker
   * registers the interface's activity types, not the mock's.
   */
  static <T> T activityMock(Class<T> activities) {
    return Mockito.mock(activities, Mockito.withSettings().withoutAnnotations());
  }

  /** How long a test waits for a result before it calls the run stuck. */
  static final Duration RESULT_TIMEOUT = Duration.ofSeconds(30);

  final TestWorkflowEnvironment env;
  final ActivationClient activations;

  private WorkflowHarness(TestWorkflowEnvironment env) {
    this.env = env;
    this.activations =
        new ActivationClient(env.getWorkflowClient(), ActivationContract.DEFAULT_TASK_QUEUE);
  }

  static WorkflowHarness start(ActivationPolicy policy, Object... activities) {
    return start(policy, WebhookTargets.none(), activities);
  }

  /**
   * With webhook URLs: the delivery workflow is registered too, its activity is one of {@code
   * activities} (a mock).
   */
  static WorkflowHarness start(
      ActivationPolicy policy, WebhookTargets webhooks, Object... activities) {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    env.registerSearchAttribute(
        ActivationContract.EXPERIMENT_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute(
        ActivationContract.ACTIVATION_OUTCOME.getName(),
        IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute(
        ActivationContract.ACTIVATION_SCHEDULED_FOR.getName(),
        IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
    Worker worker = env.newWorker(ActivationContract.DEFAULT_TASK_QUEUE);
    ActivationWorkflows.register(worker, policy, webhooks);
    worker.registerActivitiesImplementations(activities);
    env.start();
    return new WorkflowHarness(env);
  }

  WorkflowClient client() {
    return env.getWorkflowClient();
  }

  /**
   * Starts a run with any input, the way a client in another language could: no id check, no search
   * attribute set at start.
   */
  WorkflowStub startRaw(String workflowId, ActivationRequest request) {
    WorkflowStub stub =
        client()
            .newUntypedWorkflowStub(
                ActivationContract.WORKFLOW_TYPE,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(ActivationContract.DEFAULT_TASK_QUEUE)
                    .build());
    stub.start(request);
    return stub;
  }

  SearchAttributes searchAttributes(String workflowId) {
    return client().newUntypedWorkflowStub(workflowId).describe().getTypedSearchAttributes();
  }

  @Override
  public void close() {
    env.close();
  }
}
