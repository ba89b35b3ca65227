package dev.abtest.faults;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.HandlerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.temporal.api.workflowservice.v1.RespondWorkflowTaskCompletedRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A pass-through gRPC proxy in front of the Temporal test server, for the worker processes: it
 * forwards every (unary) call unchanged and remembers which sticky task queue each worker identity
 * asked for. The Java test server never times out a dead worker's sticky queue, so after a SIGKILL
 * the test needs those names to do what a real server does (see {@link
 * FaultStack#releaseStickyQueues}).
 */
final class StickyQueueRecorder implements AutoCloseable {
  private static final String COMPLETE_TASK =
      "temporal.api.workflowservice.v1.WorkflowService/RespondWorkflowTaskCompleted";
  private static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private final ManagedChannel upstream;
  private final Server server;
  private final Map<String, Set<String>> stickyQueuesByIdentity = new ConcurrentHashMap<>();

  StickyQueueRecorder(String upstreamTarget) throws IOException {
    this.upstream = ManagedChannelBuilder.forTarget(upstreamTarget).usePlaintext().build();
    this.server =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
            .fallbackHandlerRegistry(
                new HandlerRegistry() {
                  @Override
                  public ServerMethodDefinition<?, ?> lookupMethod(
                      String methodName, String authority) {
                    return forward(methodName);
                  }
                })
            .build()
            .start();
  }

  /** {@code 127.0.0.1:<port>}: what the workers use as TEMPORAL_ADDRESS. */
  String target() {
    return "127.0.0.1:" + server.getPort();
  }

  /** Sticky task queues the worker with this identity ({@code pid@host}) completed tasks with. */
  Set<String> stickyQueuesOfProcess(long pid) {
    Set<String> queues = ConcurrentHashMap.newKeySet();
    stickyQueuesByIdentity.forEach(
        (identity, names) -> {
          if (identity.startsWith(pid + "@")) {
            queues.addAll(names);
          }
        });
    return queues;
  }

  /** After the upstream server was unreachable: reconnect now instead of after the backoff. */
  void resetBackoff() {
    upstream.resetConnectBackoff();
  }

  private ServerMethodDefinition<byte[], byte[]> forward(String methodName) {
    MethodDescriptor<byte[], byte[]> method =
        MethodDescriptor.<byte[], byte[]>newBuilder()
            .setFullMethodName(methodName)
            .setType(MethodDescriptor.MethodType.UNARY)
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();
    return ServerMethodDefinition.create(
        method,
        ServerCalls.asyncUnaryCall(
            (request, response) -> {
              if (COMPLETE_TASK.equals(methodName)) {
                remember(request);
              }
              CallOptions options = CallOptions.DEFAULT;
              Deadline deadline = Context.current().getDeadline();
              if (deadline != null) {
                options = options.withDeadline(deadline);
              }
              ClientCall<byte[], byte[]> call = upstream.newCall(method, options);
              // A worker that dies mid-poll cancels its call: cancel ours too, as a server would.
              Context.current()
                  .addListener(context -> call.cancel("caller cancelled", null), Runnable::run);
              ClientCalls.asyncUnaryCall(call, request, response);
            }));
  }

  private void remember(byte[] request) {
    try {
      RespondWorkflowTaskCompletedRequest completed =
          RespondWorkflowTaskCompletedRequest.parseFrom(request);
      if (completed.hasStickyAttributes()) {
        stickyQueuesByIdentity
            .computeIfAbsent(completed.getIdentity(), k -> ConcurrentHashMap.newKeySet())
            .add(completed.getStickyAttributes().getWorkerTaskQueue().getName());
      }
    } catch (IOException e) {
      // not ours to judge: the server answers it
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    upstream.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      upstream.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
