package dev.abtest.benchmark;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the gRPC calls this process's Temporal client and worker make to the server, by method
 * (e.g. {@code StartWorkflowExecution}, {@code PollWorkflowTaskQueue}): the round trips an
 * activation costs, seen from the client side. Installed on the benchmark's service stubs.
 */
final class RpcCounter implements ClientInterceptor {
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

  @Override
  public <Q, R> ClientCall<Q, R> interceptCall(
      MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
    String name = method.getBareMethodName();
    calls
        .computeIfAbsent(name != null ? name : method.getFullMethodName(), k -> new LongAdder())
        .increment();
    return next.newCall(method, callOptions);
  }

  /** Calls so far, by method. */
  Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    calls.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** {@code after - before}, by method, leaving out zeros. */
  static Map<String, Long> delta(Map<String, Long> before, Map<String, Long> after) {
    Map<String, Long> out = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          long d = v - before.getOrDefault(k, 0L);
          if (d != 0) {
            out.put(k, d);
          }
        });
    return out;
  }
}
