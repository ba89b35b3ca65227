package dev.abtest.starter;

import static dev.abtest.starter.ActivationRouteTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ActivationPolicy;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.testing.TestPolicies;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Outages: PostgreSQL down gives 202 and the activation completes by itself once it is back;
 * Temporal down gives a quick 503 and the edge recovers; retries running out give 500. These tests
 * stop the stack's servers, so they run on a stack of their own, never the one other classes share.
 */
class ResilienceTest {
  static TestStack stack;
  static Api api;
  static String token;

  /** Its own stack: these tests stop PostgreSQL and Temporal, which the other classes share. */
  @BeforeAll
  static void start() {
    stack = TestStack.startOwn(ResilienceTest.class);
    api = stack.api;
    token = stack.token("ops");
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void databaseDownIs202InProgressAndTheActivationCompletesWhenItIsBack() throws Exception {
    String id = stack.insert("pgdown", ExperimentStatus.PENDING);
    try (StarterApp quick = stack.starter(Map.of("ACTIVATION_WAIT_BUDGET", "1s"))) {
      Api quickApi = new Api(quick.baseUri());
      String statusUrl;
      stack.postgres().stop();
      try {
        Api.Reply reply = quickApi.activate(id, token);

        assertError(reply, 202, "Activation is in progress", "IN_PROGRESS");
        JsonNode details = reply.body().get("details");
        assertThat(details.get("workflowId").asText()).isEqualTo("activate-experiment:" + id);
        assertThat(details.get("runId").asText()).isNotBlank();
        statusUrl = details.get("statusUrl").asText();
        assertThat(statusUrl).isEqualTo("/api/nous/ab-testing/experiments/activations/" + id);

        Api.Reply running = quickApi.get(statusUrl, token);
        assertThat(running.status()).isEqualTo(200);
        assertThat(running.body().at("/data/status").asText()).isEqualTo("RUNNING");
        assertThat(running.body().at("/data/result").isNull()).isTrue();
        assertThat(running.body().at("/data/runId").asText())
            .isEqualTo(details.get("runId").asText());
        assertError(
            quickApi.get(Api.ACTIVATIONS + "?experimentId=" + id, token),
            503,
            "Activation history unavailable",
            "UNAVAILABLE");
      } finally {
        stack.postgres().start();
      }

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(250))
          .untilAsserted(
              () ->
                  assertThat(quickApi.get(statusUrl, token).body().at("/data/status").asText())
                      .isEqualTo("COMPLETED"));
      Api.Reply done = quickApi.get(statusUrl, token);
      assertThat(done.body().at("/data/result/outcome").asText()).isEqualTo("ACTIVATED");
      assertThat(stack.status(id)).isEqualTo("ACTIVE");
      assertThat(stack.auditCount(id)).isEqualTo(1);
    }
  }

  @Test
  void temporalUnreachableIs503QuicklyAndTheEdgeRecovers() {
    String id = stack.insert("temporaldown", ExperimentStatus.PENDING);
    // A serving starter has talked to Temporal before it goes away.
    assertThat(api.activate(TestStack.newId("warmup"), token).status()).isEqualTo(404);
    stack.temporal.suspend();
    long millis;
    try {
      long started = System.nanoTime();
      Api.Reply reply = api.activate(id, token);
      millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      assertError(reply, 503, "Activation service unavailable", "UNAVAILABLE");

      long again = System.nanoTime();
      Api.Reply status = api.get(Api.ACTIVATIONS + "/" + id, token);
      long statusMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - again);
      assertError(status, 503, "Activation service unavailable", "UNAVAILABLE");
      System.out.println("503 status route answered in " + statusMillis + " ms");
      assertThat(api.get("/readyz", null).status()).isEqualTo(503);
    } finally {
      stack.temporal.resume();
    }
    System.out.println("503 answered in " + millis + " ms");
    assertThat(millis).as("503 latency").isLessThan(4_000);

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(250))
        .until(() -> api.activate(id, token).status() != 503);
    assertThat(stack.status(id)).isEqualTo("ACTIVE");
    assertThat(stack.auditCount(id)).isEqualTo(1);
  }

  @Test
  void retriesRunningOutIs500WithoutAStackTrace() throws Exception {
    String queue = "exhausting-" + TestStack.newId("q");
    ActivationPolicy impatient = TestPolicies.EXHAUSTED_IN_TWO_SECONDS;
    String id = stack.insert("exhausted", ExperimentStatus.PENDING);
    try (AutoCloseable worker = stack.extraWorker(queue, impatient);
        StarterApp starter = stack.starter(Map.of("TEMPORAL_TASK_QUEUE", queue))) {
      Api exhaustingApi = new Api(starter.baseUri());
      stack.postgres().stop();
      Api.Reply reply;
      try {
        reply = exhaustingApi.activate(id, token);
      } finally {
        stack.postgres().start();
      }

      assertError(reply, 500, "Failed to activate experiment", "INTERNAL");
      assertThat(reply.body().get("details")).isNull();
      Api.Reply status = exhaustingApi.get(Api.ACTIVATIONS + "/" + id, token);
      assertThat(status.body().at("/data/status").asText()).isEqualTo("FAILED");
    }
    assertThat(stack.status(id)).isEqualTo("PENDING");
  }

  @Test
  void inFlightRequestsFinishWhenTheStarterCloses() throws Exception {
    String id = stack.insert("drain", ExperimentStatus.PENDING);
    StarterApp starter = stack.starter(Map.of("SHUTDOWN_DRAIN_TIMEOUT", "20s"));
    Api drainingApi = new Api(starter.baseUri());
    CompletableFuture<Api.Reply> inFlight;
    stack.postgres().stop();
    try {
      inFlight = CompletableFuture.supplyAsync(() -> drainingApi.activate(id, token));
      await().atMost(Duration.ofSeconds(10)).until(() -> stack.runsStartedFor(id) > 0);
    } finally {
      stack.postgres().start();
    }
    CompletableFuture<Void> closing = CompletableFuture.runAsync(starter::close);

    Api.Reply reply = inFlight.get(30, TimeUnit.SECONDS);
    closing.get(30, TimeUnit.SECONDS);
    assertThat(reply.status()).isEqualTo(200);
    assertThat(stack.status(id)).isEqualTo("ACTIVE");
  }
}
