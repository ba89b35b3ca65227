package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Waiting requests hold no thread and are bounded: a wait longer than the idle timeout still ends
 * in its 202, and beyond HTTP_MAX_WAITING requests in progress the answer is 503 with Retry-After.
 * (A task queue no worker polls keeps every run waiting.)
 */
@ExtendWith(TestStack.Resolver.class)
class WaitingTest {

  @Test
  void aWaitLongerThanTheIdleTimeoutEndsInItsInProgressAnswer(TestStack stack) {
    String id = stack.insert("long-wait", ExperimentStatus.PENDING);
    try (StarterApp starter =
        stack.starter(
            Map.of(
                "TEMPORAL_TASK_QUEUE", "nobody-polls-" + id,
                "ACTIVATION_ACCEPT_TIMEOUT", "100ms",
                "ACTIVATION_WAIT_BUDGET", "3s",
                "HTTP_IDLE_TIMEOUT", "1s"))) {
      long started = System.nanoTime();
      Api.Reply reply = new Api(starter.baseUri()).activate(id, stack.token("patient"));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(reply.status()).as(reply.raw().body()).isEqualTo(202);
      assertThat(reply.code()).isEqualTo("IN_PROGRESS");
      assertThat(took).isBetween(Duration.ofMillis(2_500), Duration.ofSeconds(8));
    }
  }

  @Test
  void beyondMaxWaitingTheAnswerIs503WithRetryAfter(TestStack stack) throws Exception {
    String id = stack.insert("max-waiting", ExperimentStatus.PENDING);
    try (StarterApp starter =
        stack.starter(
            Map.of(
                "TEMPORAL_TASK_QUEUE", "nobody-polls-" + id,
                "ACTIVATION_ACCEPT_TIMEOUT", "100ms",
                "ACTIVATION_WAIT_BUDGET", "4s",
                "HTTP_MAX_WAITING", "5"))) {
      Api api = new Api(starter.baseUri());
      String token = stack.token("crowd");
      HttpRequest request =
          api.request(Api.ACTIVATE, token)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"" + id + "\"}"))
              .build();
      List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        waiting.add(api.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      // Let the five arrive and start waiting.
      Thread.sleep(1_500);
      Api.Reply refused = api.send(request);
      assertThat(refused.status()).as(refused.raw().body()).isEqualTo(503);
      assertThat(refused.code()).isEqualTo("UNAVAILABLE");
      assertThat(refused.header("Retry-After")).isEqualTo("1");

      Map<Integer, Integer> statuses = new TreeMap<>();
      for (CompletableFuture<HttpResponse<String>> reply : waiting) {
        statuses.merge(reply.get(30, TimeUnit.SECONDS).statusCode(), 1, Integer::sum);
      }
      assertThat(statuses).isEqualTo(Map.of(202, 5));
      // Once they are answered, there is room again.
      assertThat(api.send(request).status()).isEqualTo(202);
    }
  }
}
