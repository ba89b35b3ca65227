package dev.abtest.activation;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The typed way for a Java service to start (or join) an activation and read its result, with the
 * contract's workflow id, task queue and id policies, so that callers never repeat them.
 */
public final class ActivationClient {
  private final WorkflowClient client;
  private final String taskQueue;

  public ActivationClient(WorkflowClient client, String taskQueue) {
    this.client = Objects.requireNonNull(client, "client");
    this.taskQueue = Objects.requireNonNull(taskQueue, "taskQueue");
  }

  public ActivationClient(WorkflowClient client) {
    this(client, Activation.DEFAULT_TASK_QUEUE);
  }

  /** A started (or joined) activation: its workflow execution and a handle on the result. */
  public record Started(WorkflowExecution execution, WorkflowStub stub) {
    public String workflowId() {
      return execution.getWorkflowId();
    }

    public String runId() {
      return execution.getRunId();
    }

    public CompletableFuture<ActivationResult> resultAsync() {
      return stub.getResultAsync(ActivationResult.class);
    }

    /**
     * The result without a thread waiting for it; completes with {@link TimeoutException} if the
     * run is still going after {@code timeout}.
     */
    public CompletableFuture<ActivationResult> resultAsync(Duration timeout) {
      return stub.getResultAsync(timeout.toNanos(), TimeUnit.NANOSECONDS, ActivationResult.class);
    }

    /**
     * Waits up to {@code timeout} for the result; throws {@link TimeoutException} if still running.
     */
    public ActivationResult result(Duration timeout) throws TimeoutException {
      return stub.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, ActivationResult.class);
    }
  }

  /**
   * Starts the activation of {@code experimentId}, or joins the run already in progress for it. The
   * id must already be valid ({@link ExperimentIds#problem}); {@code requestedBy} may be null.
   */
  public Started start(String experimentId, String requestedBy) {
    String id = ExperimentIds.normalize(experimentId);
    WorkflowStub stub =
        client.newUntypedWorkflowStub(Activation.WORKFLOW_TYPE, options(id, requestedBy));
    WorkflowExecution execution = stub.start(new ActivationRequest(id, requestedBy));
    return new Started(execution, stub);
  }

  /** Starts or joins, then waits up to {@code timeout} for the result. */
  public ActivationResult activate(String experimentId, String requestedBy, Duration timeout)
      throws TimeoutException {
    return start(experimentId, requestedBy).result(timeout);
  }

  /**
   * The options every activation is started with: the contract's id, queue, policies and summary.
   */
  public WorkflowOptions options(String experimentId, String requestedBy) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(Activation.workflowId(experimentId))
        .setTaskQueue(taskQueue)
        .setWorkflowIdConflictPolicy(
            WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder().set(Activation.EXPERIMENT_ID, experimentId).build())
        .setStaticSummary(
            "Activate "
                + experimentId
                + " requested by "
                + (requestedBy == null ? "an anonymous caller" : requestedBy))
        .setStaticDetails(
            "Validates experiment "
                + experimentId
                + " (status, variants, weights, end date), then sets it ACTIVE with one"
                + " conditional UPDATE and an audit row in one transaction.")
        .build();
  }
}
