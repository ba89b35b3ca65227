package dev.abtest.testing;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.serviceclient.WorkflowServiceStubs;

/** What a test asks a Temporal server about a run. */
public final class WorkflowRuns {
  private WorkflowRuns() {}

  /**
   * The server's description of a workflow execution in the {@code default} namespace: its latest
   * run when {@code runId} is null.
   */
  public static DescribeWorkflowExecutionResponse describe(
      WorkflowServiceStubs stubs, String workflowId, String runId) {
    WorkflowExecution.Builder execution = WorkflowExecution.newBuilder().setWorkflowId(workflowId);
    if (runId != null) {
      execution.setRunId(runId);
    }
    return stubs
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace("default")
                .setExecution(execution)
                .build());
  }
}
