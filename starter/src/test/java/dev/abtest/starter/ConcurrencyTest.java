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

/** Many callers, one experiment: one transition, one audit row, and each caller told the truth. */
@ExtendWith(TestStack.Resolver.class)
class ConcurrencyTest {
  private static final int CALLERS = 200;

  @Test
  void twoHundredConcurrentRequestsMakeExactlyOneTransition(TestStack stack) throws Exception {
    String id = stack.insert("crowd", ExperimentStatus.PENDING);
    // A generous budget: on a loaded machine a 202 would say nothing about concurrency.
    try (StarterApp starter = stack.starter(Map.of("ACTIVATION_WAIT_BUDGET", "90s"))) {
      Api api = new Api(starter.baseUri());
      List<CompletableFuture<HttpResponse<String>>> replies = new ArrayList<>();
      for (int i = 0; i < CALLERS; i++) {
        HttpRequest request =
            api.request(Api.ACTIVATE, stack.token("caller-" + i))
                .timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"" + id + "\"}"))
                .build();
        replies.add(api.client().sendAsync(request, HttpResponse.BodyHandlers.ofString()));
      }
      CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).get(150, TimeUnit.SECONDS);

      Map<Integer, Integer> statuses = new TreeMap<>();
      for (CompletableFuture<HttpResponse<String>> reply : replies) {
        Api.Reply answer = Api.reply(reply.get());
        statuses.merge(answer.status(), 1, Integer::sum);
        if (answer.status() == 200) {
          assertThat(answer.body().at("/data/status").asText()).isEqualTo("ACTIVE");
        } else {
          assertThat(answer.code()).as(answer.raw().body()).isEqualTo("ALREADY_ACTIVE");
        }
      }
      System.out.println("Statuses of " + CALLERS + " concurrent activations: " + statuses);
      assertThat(statuses.keySet()).isSubsetOf(200, 409);
      assertThat(statuses.get(200)).isPositive();
    }
    assertThat(stack.status(id)).isEqualTo("ACTIVE");
    assertThat(stack.auditCount(id)).isEqualTo(1);
    // Every run left one decision (the joiners of the activating run share its record; later
    // runs each record ALREADY_ACTIVE), never two for one run.
    List<Map<String, Object>> records = stack.auditRows(id);
    assertThat(records).extracting(r -> r.get("outcome")).containsOnlyOnce("ACTIVATED");
    assertThat(records).extracting(r -> r.get("outcome")).isSubsetOf("ACTIVATED", "ALREADY_ACTIVE");
    assertThat(records).extracting(r -> r.get("run_id")).doesNotHaveDuplicates();
    assertThat(records.size()).isLessThanOrEqualTo(CALLERS);
  }
}
