package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.faults.WebhookReceiver.Received;
import dev.abtest.testing.ServiceProcess;
import dev.abtest.testing.WorkflowRuns;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Activation events from the real worker and starter processes, on the CLI's dev server and an
 * embedded PostgreSQL, to receivers on loopback in this test ({@link WebhookReceiver}: every
 * request verified by the Standard Webhooks reference library).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivationEventsIT {
  static final Duration BUDGET = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  private static FaultStack stack;
  private static ServiceProcess worker;
  private static ServiceProcess starter;
  private static WebhookReceiver receiver;

  /** Receiver state: /flaky answers 500 to its first three attempts per event, then 200. */
  private static final AtomicInteger flakyFailuresLeft = new AtomicInteger(3);

  /** /outage refuses (503) while this is set: a receiver that is down. */
  private static final AtomicBoolean outage = new AtomicBoolean(false);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() throws Exception {
    receiver = WebhookReceiver.start(ActivationEventsIT::answer);
    stack = FaultStack.start("events");
    worker = stack.startWorker(workerEnv());
    starter = stack.startStarter(FaultStack.PATIENT_STARTER);
  }

  private static Map<String, String> workerEnv() {
    String base = receiver.baseUrl();
    return Map.of(
        "ACTIVATION_WEBHOOK_URLS",
        base + "/flaky," + base + "/dead?token=abc," + base + "/outage",
        "ACTIVATION_WEBHOOK_SECRET",
        receiver.secret(),
        "ACTIVATION_WEBHOOK_RETRY_BUDGET",
        BUDGET.toSeconds() + "s",
        "LOG_LEVEL",
        "info");
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
    if (receiver != null) {
      receiver.close();
    }
  }

  private static int answer(String path, String webhookId) {
    return switch (path) {
      case "/flaky" -> flakyFailuresLeft.getAndDecrement() > 0 ? 500 : 200;
      case "/outage" -> outage.get() ? 503 : 204;
      default -> 500;
    };
  }

  /** The HTTP status of the answer: 200 activated, 409 already active, 404 not found. */
  private int activateStatus(String experimentId) throws Exception {
    return activateResponse(experimentId).statusCode();
  }

  private JsonNode activate(String experimentId) throws Exception {
    HttpResponse<String> response = activateResponse(experimentId);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("data");
  }

  private HttpResponse<String> activateResponse(String experimentId) throws Exception {
    return http.send(
        ActivationLoad.activationPost(
            starter.uri(ActivationLoad.PATH),
            ActivationLoad.activateBody(experimentId),
            ActivationLoad.REQUEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<Received> to(String path, String experimentId) {
    return receiver.to(path, experimentId);
  }

  private static void await(String what, Duration timeout, BooleanSupplier done)
      throws InterruptedException {
    receiver.await(what, timeout, done);
  }

  private WorkflowExecutionStatus deliveryStatus(String eventId, int urlIndex) {
    return WorkflowRuns.describe(stack.stubs, "activation-event:" + eventId + ":" + urlIndex, null)
        .getWorkflowExecutionInfo()
        .getStatus();
  }

  @Test
  @Order(1)
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aReceiverFailingThreeTimesGetsOneAcceptedSignedDeliveryAndAFailingOneIsRecordedFailed()
      throws Exception {
    String id = stack.seedPending("events", 1).get(0);

    JsonNode answer = activate(id);
    assertThat(answer.path("status").asText()).isEqualTo("ACTIVE");

    await("4 attempts at /flaky", Duration.ofSeconds(60), () -> to("/flaky", id).size() >= 4);
    List<Received> flaky = to("/flaky", id);
    assertThat(flaky).extracting(Received::answer).containsExactly(500, 500, 500, 200);
    assertThat(flaky).extracting(Received::verdict).containsOnly("ok");
    String eventId = flaky.get(0).id();
    assertThat(flaky).extracting(Received::id).containsOnly(eventId);
    JsonNode body = JSON.readTree(flaky.get(3).body());
    assertThat(body.path("type").asText()).isEqualTo("experiment.activated");
    assertThat(body.path("timestamp").asText()).endsWith("Z");
    JsonNode data = body.path("data");
    assertThat(data.path("experimentId").asText()).isEqualTo(id);
    assertThat(data.path("previousStatus").asText()).isEqualTo("PENDING");
    assertThat(data.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(data.has("requestedBy")).isTrue();
    assertThat(data.path("activatedAt").asText()).isNotEmpty();
    assertThat(data.path("workflowId").asText()).isEqualTo("activate-experiment:" + id);
    assertThat(data.path("runId").asText()).isNotEmpty();
    assertThat(data.path("experiment")).isEqualTo(answer);
    // The same bytes on every attempt; the timestamps are the attempts' own.
    assertThat(flaky).extracting(Received::body).containsOnly(flaky.get(0).body());

    // The permanently failing URL: retried until the 30 s budget, then the delivery run fails.
    await(
        "the /dead delivery to fail",
        Duration.ofSeconds(90),
        () ->
            deliveryStatus(eventId, 1) == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    List<Received> dead = to("/dead", id);
    assertThat(dead.size()).isGreaterThanOrEqualTo(4);
    assertThat(dead).extracting(Received::verdict).containsOnly("ok");
    assertThat(deliveryStatus(eventId, 0))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(deliveryStatus(eventId, 2))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    System.out.printf(
        "events: /flaky delivered on attempt 4, /dead failed after %d attempts within %s%n",
        dead.size(), BUDGET);

    // Runs that change nothing send nothing.
    int before = receiver.received().size();
    assertThat(activateStatus(id)).isEqualTo(409);
    assertThat(activateStatus("events-missing")).isEqualTo(404);
    Thread.sleep(3000);
    assertThat(receiver.received().subList(before, receiver.received().size()))
        .noneMatch(r -> r.body().contains("\"runId\"") && !r.path().equals("/dead"));
    String metrics =
        http.send(
                HttpRequest.newBuilder(worker.uri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(metrics)
        .containsPattern(
            "activation_events_total\\{[^}]*result=\"delivered\",type=\"experiment.activated\"")
        .containsPattern(
            "activation_events_total\\{[^}]*result=\"failed\",type=\"experiment.activated\"");
    assertThat(Files.readString(worker.log())).doesNotContain(receiver.secret().substring(6));
  }

  @Test
  @Order(2)
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void aDeliveryRetriedWhenTheWorkerIsKilledIsDeliveredOnceAWorkerIsBack() throws Exception {
    String id = stack.seedPending("events-kill", 1).get(0);
    outage.set(true);
    assertThat(activate(id).path("status").asText()).isEqualTo("ACTIVE");
    await(
        "2 refused attempts at /outage",
        Duration.ofSeconds(30),
        () -> to("/outage", id).size() >= 2);

    worker.kill();
    worker = stack.startWorker(workerEnv());
    Thread.sleep(5000);
    outage.set(false);

    await(
        "a delivery to /outage after the restart",
        Duration.ofSeconds(120),
        () -> to("/outage", id).stream().anyMatch(r -> r.answer() == 204));
    List<Received> attempts = to("/outage", id);
    assertThat(attempts).extracting(Received::verdict).containsOnly("ok");
    assertThat(attempts).extracting(Received::id).containsOnly(attempts.get(0).id());
    System.out.printf(
        "events: /outage delivered on attempt %d after a worker SIGKILL%n", attempts.size());
  }
}
