package dev.abtest.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LoopbackTemporalServerTest {

  private static final String QUEUE = "embedded-test";
  private static final SearchAttributeKey<String> EXPERIMENT_ID =
      SearchAttributeKey.forKeyword("ExperimentId");
  private static final SearchAttributeKey<String> ACTIVATION_OUTCOME =
      SearchAttributeKey.forKeyword("ActivationOutcome");

  @WorkflowInterface
  public interface EchoWorkflow {
    @WorkflowMethod
    String echo(String text);
  }

  public static class EchoWorkflowImpl implements EchoWorkflow {
    @Override
    public String echo(String text) {
      return "echo:" + text;
    }
  }

  /** A server, a client and a worker for EchoWorkflow; closed in reverse order. */
  private record Stack(
      LoopbackTemporalServer server,
      WorkflowServiceStubs stubs,
      WorkflowClient client,
      WorkerFactory factory)
      implements AutoCloseable {

    static Stack start() throws IOException {
      LoopbackTemporalServer server = LoopbackTemporalServer.start(0);
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
      WorkflowClient client = WorkflowClient.newInstance(stubs);
      WorkerFactory factory = WorkerFactory.newInstance(client);
      factory.newWorker(QUEUE).registerWorkflowImplementationTypes(EchoWorkflowImpl.class);
      factory.start();
      return new Stack(server, stubs, client, factory);
    }

    String run(String id, String text) {
      return run(WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build(), text);
    }

    String run(WorkflowOptions options, String text) {
      return client.newWorkflowStub(EchoWorkflow.class, options).echo(text);
    }

    DescribeWorkflowExecutionResponse describe(String workflowId) {
      return stubs
          .blockingStub()
          .describeWorkflowExecution(
              DescribeWorkflowExecutionRequest.newBuilder()
                  .setNamespace("default")
                  .setExecution(
                      io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                          .setWorkflowId(workflowId))
                  .build());
    }

    @Override
    public void close() {
      factory.shutdownNow();
      factory.awaitTermination(5, TimeUnit.SECONDS);
      stubs.shutdownNow();
      server.close();
    }
  }

  @Test
  void aWorkerCompletesAWorkflowThroughTheLoopbackTarget() throws IOException {
    try (Stack stack = Stack.start()) {
      assertThat(stack.server().target()).isEqualTo("127.0.0.1:" + stack.server().port());
      assertThat(stack.run("wf-1", "hi")).isEqualTo("echo:hi");
    }
  }

  @Test
  void listensOnLoopbackOnly() throws IOException {
    try (LoopbackTemporalServer server = LoopbackTemporalServer.start(0)) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", server.port()), 1000);
      }
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress address : Collections.list(nic.getInetAddresses())) {
          if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
            continue;
          }
          try (Socket s = new Socket()) {
            assertThatThrownBy(() -> s.connect(new InetSocketAddress(address, server.port()), 500))
                .as("port %d must not be reachable on %s", server.port(), address)
                .isInstanceOf(IOException.class);
          }
        }
      }
    }
  }

  @Test
  void suspendFailsCallsFastAndResumeKeepsTheState() throws IOException {
    try (Stack stack = Stack.start()) {
      assertThat(stack.run("before-suspend", "a")).isEqualTo("echo:a");

      stack.server().suspend();
      long t0 = System.nanoTime();
      assertThatThrownBy(
              () ->
                  stack
                      .stubs()
                      .blockingStub()
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));

      stack.server().resume();
      // The client channel reconnects after its backoff; skip the wait.
      stack.stubs().getRawChannel().resetConnectBackoff();
      assertThat(describeOnceReachable(stack, "before-suspend").getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
      assertThat(stack.run("after-resume", "b")).isEqualTo("echo:b");
    }
  }

  private static WorkflowExecutionInfo describeOnceReachable(Stack stack, String workflowId) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try {
        return stack.describe(workflowId).getWorkflowExecutionInfo();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > deadline) {
          throw e;
        }
        stack.stubs().getRawChannel().resetConnectBackoff();
        sleep(50);
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void customKeywordSearchAttributesCanBeRegisteredAndUsed() throws IOException {
    try (Stack stack = Stack.start()) {
      OperatorServiceStubs operator =
          OperatorServiceStubs.newServiceStubs(
              OperatorServiceStubsOptions.newBuilder()
                  .setTarget(stack.server().target())
                  .validateAndBuildWithDefaults());
      WorkflowOptions tagged =
          WorkflowOptions.newBuilder()
              .setWorkflowId("tagged")
              .setTaskQueue(QUEUE)
              .setTypedSearchAttributes(
                  SearchAttributes.newBuilder()
                      .set(EXPERIMENT_ID, "exp-1")
                      .set(ACTIVATION_OUTCOME, "ACTIVATED")
                      .build())
              .build();
      assertThatThrownBy(() -> stack.run(tagged.toBuilder().setWorkflowId("rejected").build(), "x"))
          .as("the server rejects search attributes it does not know")
          .rootCause()
          .hasMessageContaining("search attribute ActivationOutcome is not defined");

      operator
          .blockingStub()
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace("default")
                  .putSearchAttributes("ExperimentId", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                  .putSearchAttributes(
                      "ActivationOutcome", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD)
                  .build());

      assertThat(stack.run(tagged, "registered")).isEqualTo("echo:registered");
      assertThat(
              stack
                  .describe("tagged")
                  .getWorkflowExecutionInfo()
                  .getSearchAttributes()
                  .getIndexedFieldsMap())
          .containsKeys("ExperimentId", "ActivationOutcome");
      operator.shutdownNow();
    }
  }
}
