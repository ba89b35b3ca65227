package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import dev.abtest.testing.TestPolicies;
import java.lang.management.ManagementFactory;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 5,000 concurrent requests for one experiment through one starter: one run, one transition, every
 * answer 200 or 409 within the wait budget from arrival, and the starter's threads stay few (no
 * thread per waiting request). The run's task queue gets its worker only once all 5,000 wait on it:
 * on this 2-core machine the requests take longer to arrive than a run takes to finish, and a
 * request arriving after the run is over rightly starts a run of its own (answered 409). Heavy: run
 * it alone on a small machine.
 */
@Tag("storm")
@ExtendWith(TestStack.Resolver.class)
class StormTest {
  private static final int CALLERS = 5_000;
  private static final Duration BUDGET = Duration.ofSeconds(120);

  @Test
  void fiveThousandConcurrentRequestsJoinOneRun(TestStack stack) throws Exception {
    String id = stack.insert("storm", ExperimentStatus.PENDING);
    String token = stack.token("storm");
    ExecutorService clientThreads = Executors.newFixedThreadPool(64);
    String queue = "storm-" + id;
    // Other starters of this JVM (the shared stack's) have http threads of their own.
    long otherStarterThreads = starterThreads();
    try (StarterApp starter =
        stack.starter(
            Map.of(
                "ACTIVATION_WAIT_BUDGET",
                BUDGET.toSeconds() + "s",
                "TEMPORAL_TASK_QUEUE",
                queue,
                // No worker polls until every request waits: each Update-With-Start gives up on
                // being accepted quickly and joins the run.
                "ACTIVATION_ACCEPT_TIMEOUT",
                "100ms"))) {
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(Duration.ofSeconds(60))
              .executor(clientThreads)
              .build();
      HttpRequest request =
          HttpRequest.newBuilder(starter.baseUri().resolve(Api.ACTIVATE))
              .timeout(BUDGET.plusSeconds(60))
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"" + id + "\"}"))
              .build();
      AtomicInteger peakStarterThreads = new AtomicInteger();
      AtomicInteger peakThreads = new AtomicInteger();
      var sampler = Executors.newSingleThreadScheduledExecutor();
      sampler.scheduleAtFixedRate(
          () -> {
            peakThreads.accumulateAndGet(
                ManagementFactory.getThreadMXBean().getThreadCount(), Math::max);
            peakStarterThreads.accumulateAndGet(
                (int) (starterThreads() - otherStarterThreads), Math::max);
          },
          0,
          100,
          TimeUnit.MILLISECONDS);

      List<CompletableFuture<long[]>> replies = new ArrayList<>();
      long started = System.nanoTime();
      for (int i = 0; i < CALLERS; i++) {
        long sent = System.nanoTime();
        replies.add(
            client
                .sendAsync(request, HttpResponse.BodyHandlers.ofString())
                .thenApply(
                    response -> new long[] {response.statusCode(), System.nanoTime() - sent}));
      }
      var waiting = starter.metrics().registry().get("starter.activations.waiting").gauge();
      Awaitility.await()
          .atMost(BUDGET.minusSeconds(20))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> waiting.value() >= CALLERS);
      System.out.println(
          CALLERS
              + " requests waiting on one run after "
              + Duration.ofNanos(System.nanoTime() - started).toMillis()
              + " ms");
      AutoCloseable worker = stack.extraWorker(queue, TestPolicies.FAST_RETRIES);
      try {
        CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new))
            .get(BUDGET.toSeconds() + 60, TimeUnit.SECONDS);
      } finally {
        worker.close();
      }
      long took = System.nanoTime() - started;
      sampler.shutdownNow();

      Map<Integer, Integer> statuses = new TreeMap<>();
      long slowest = 0;
      for (CompletableFuture<long[]> reply : replies) {
        long[] answer = reply.get();
        statuses.merge((int) answer[0], 1, Integer::sum);
        slowest = Math.max(slowest, answer[1]);
      }
      System.out.println(
          "Storm of "
              + CALLERS
              + ": statuses "
              + statuses
              + ", all answered in "
              + Duration.ofNanos(took).toMillis()
              + " ms, slowest "
              + Duration.ofNanos(slowest).toMillis()
              + " ms; peak threads: starter (http*) "
              + peakStarterThreads.get()
              + ", whole test JVM "
              + peakThreads.get());
      assertThat(statuses.keySet()).isSubsetOf(200, 409);
      assertThat(statuses.get(200)).isPositive();
      // Measured from the client's send, which is no later than the starter's arrival.
      assertThat(Duration.ofNanos(slowest)).isLessThan(BUDGET);
      // Jetty's pool (16) and the worker pool (32 by default), not one per waiting request.
      assertThat(peakStarterThreads.get()).isLessThanOrEqualTo(64);
    } finally {
      clientThreads.shutdownNow();
    }
    assertThat(stack.status(id)).isEqualTo("ACTIVE");
    assertThat(stack.auditCount(id)).isEqualTo(1);
    String workflowId = dev.abtest.activation.ActivationContract.workflowId(id);
    Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        stack
                            .workflowClient()
                            .listExecutions("WorkflowId = '" + workflowId + "'")
                            .count())
                    .isEqualTo(1));
  }

  private static long starterThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("http"))
        .count();
  }
}
