package dev.abtest.activation;

import io.grpc.Context;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs calls to Temporal under a gRPC deadline: the SDK's retries (and its first-call capability
 * check) stop there, so an unreachable server costs at most the limit, never the SDK's own minute.
 */
final class CallDeadline {
  private static final ScheduledExecutorService TIMER =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "activation-call-deadlines");
            thread.setDaemon(true);
            return thread;
          });

  private CallDeadline() {}

  /** A call that may throw a checked exception of its own. */
  @FunctionalInterface
  interface Call<T, X extends Exception> {
    T call() throws X;
  }

  static <T, X extends Exception> T within(Duration limit, Call<T, X> call) throws X {
    Context.CancellableContext context =
        Context.current()
            .withDeadlineAfter(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS, TIMER);
    Context previous = context.attach();
    try {
      return call.call();
    } finally {
      context.detach(previous);
      context.cancel(null);
    }
  }
}
