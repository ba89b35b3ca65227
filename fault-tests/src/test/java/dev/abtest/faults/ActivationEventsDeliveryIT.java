package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.faults.WebhookReceiver.Received;
import dev.abtest.testing.ServiceProcess;
import dev.abtest.testing.WorkflowRuns;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
 * Delivery properties of activation events that {@link ActivationEventsIT} does not cover: a slow
 * receiver does not slow the activation, a receiver that is down (port closed) gets its event once
 * it is up, runs that change nothing send nothing, a storm makes one event, and scheduled
 * activations announce their schedule changes. Two worker/starter pairs share one dev server and
 * PostgreSQL: one with three webhook URLs (task queue {@code activation}), one with none (its own
 * task queue), so the latency of the same activation can be compared within this run. Every
 * delivery is verified by the {@code standardwebhooks} npm library ({@link WebhookReceiver}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivationEventsDeliveryIT {
  static final Duration BUDGET = Duration.ofSeconds(45);
  static final Duration SLOW = Duration.ofSeconds(9);
  static final String NO_EVENTS_QUEUE = "activation-no-events";

  /** URL indexes in the worker's ACTIVATION_WEBHOOK_URLS. */
  static final int SLOW_URL = 0;

  static final int LATE_URL = 2;

  private static FaultStack stack;
  private static ServiceProcess starter;
  private static ServiceProcess starterWithoutEvents;
  private static WebhookReceiver receiver;
  private static int latePort;

  /** Attempts per webhook-id at /slow: the first answers 500 after 9 s, the next 200 after 9 s. */
  private static final Map<String, AtomicInteger> slowAttempts = new ConcurrentHashMap<>();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeAll
  static void startStack() throws Exception {
    receiver = WebhookReceiver.start(ActivationEventsDeliveryIT::answer);
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      latePort = probe.getLocalPort(); // closed again: a receiver that is down
    }
    String base = receiver.baseUrl();
    stack = FaultStack.start("events-delivery");
    stack.startWorker(
        Map.of(
            "ACTIVATION_WEBHOOK_URLS",
            base + "/slow," + base + "/ok,http://127.0.0.1:" + latePort + "/late",
            "ACTIVATION_WEBHOOK_SECRET",
            receiver.secret(),
            "ACTIVATION_WEBHOOK_RETRY_BUDGET",
            BUDGET.toSeconds() + "s"));
    stack.startWorker(Map.of("TEMPORAL_TASK_QUEUE", NO_EVENTS_QUEUE));
    starter = stack.startStarter(FaultStack.PATIENT_STARTER);
    starterWithoutEvents =
        stack.startStarter(
            Map.of("ACTIVATION_START_TIMEOUT", "15s", "TEMPORAL_TASK_QUEUE", NO_EVENTS_QUEUE));
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
    if (path.equals("/slow")) {
      int attempt =
          slowAttempts.computeIfAbsent(webhookId, k -> new AtomicInteger()).incrementAndGet();
      try {
        Thread.sleep(SLOW.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return attempt == 1 ? 500 : 200;
    }
    return path.equals("/ok") || path.equals("/late") ? 204 : 404;
  }

  private HttpResponse<String> post(ServiceProcess to, String body) throws Exception {
    return http.send(
        ActivationLoad.activationPost(
            to.uri(ActivationLoad.PATH), body, ActivationLoad.REQUEST_TIMEOUT),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> activate(ServiceProcess to, String experimentId) throws Exception {
    return post(to, ActivationLoad.activateBody(experimentId));
  }

  private static List<Received> to(String path, String experimentId) {
    return receiver.to(path, experimentId);
  }

  private static List<Received> about(String experimentId) {
    return receiver.about(experimentId);
  }

  private static void await(String what, Duration timeout, BooleanSupplier done)
      throws InterruptedException {
    receiver.await(what, timeout, done);
  }

  private DescribeWorkflowExecutionResponse describeDelivery(String eventId, int urlIndex) {
    return WorkflowRuns.describe(stack.stubs, "activation-event:" + eventId + ":" + urlIndex, null);
  }

  private WorkflowExecutionStatus deliveryStatus(String eventId, int urlIndex) {
    return describeDelivery(eventId, urlIndex).getWorkflowExecutionInfo().getStatus();
  }

  /** The event id of the activation of {@code experimentId}: from the prompt /ok receiver. */
  private static String activatedEventId(String experimentId) throws InterruptedException {
    await(
        "the experiment.activated event of " + experimentId + " at /ok",
        Duration.ofSeconds(30),
        () -> !to("/ok", experimentId).isEmpty());
    return to("/ok", experimentId).get(0).id();
  }

  private static double median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
  }

  @Test
  @Order(1)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aReceiverDownForTwentySecondsGetsTheEventOnceItIsUp() throws Exception {
    String id = stack.seedPending("down", 1).get(0);
    Instant activated = Instant.now();
    assertThat(activate(starter, id).statusCode()).isEqualTo(200);
    String eventId = activatedEventId(id);

    // Port closed for 20 s: connection refused, retried with backoff.
    Thread.sleep(Math.max(0, Duration.ofSeconds(20).toMillis() - elapsedMillis(activated)));
    DescribeWorkflowExecutionResponse during = describeDelivery(eventId, LATE_URL);
    assertThat(during.getWorkflowExecutionInfo().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    assertThat(during.getPendingActivitiesList()).hasSize(1);
    int refusedAttempts = during.getPendingActivities(0).getAttempt();
    String lastFailure = during.getPendingActivities(0).getLastFailure().getMessage();
    assertThat(refusedAttempts).isGreaterThanOrEqualTo(3);
    assertThat(to("/late", id)).isEmpty();

    receiver.listen(latePort);
    Instant up = Instant.now();

    await("the delivery to /late", Duration.ofSeconds(30), () -> !to("/late", id).isEmpty());
    List<Received> late = to("/late", id);
    assertThat(late).hasSize(1);
    assertThat(late.get(0).id()).isEqualTo(eventId);
    assertThat(late.get(0).verdict()).isEqualTo("ok");
    assertThat(late.get(0).type()).isEqualTo("experiment.activated");
    await(
        "the /late delivery run to complete",
        Duration.ofSeconds(10),
        () ->
            deliveryStatus(eventId, LATE_URL)
                == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    System.out.printf(
        "events: receiver down for %d ms (%d refused attempts, last: %s); delivered %d ms after it"
            + " came up, %d ms after the activation%n",
        Duration.between(activated, up).toMillis(),
        refusedAttempts - 1,
        lastFailure,
        Duration.between(up, late.get(0).answeredAt()).toMillis(),
        Duration.between(activated, late.get(0).answeredAt()).toMillis());
  }

  private static long elapsedMillis(Instant since) {
    return Duration.between(since, Instant.now()).toMillis();
  }

  @Test
  @Order(2)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void aNineSecondReceiverDoesNotDelayTheActivationNorHoldItsWorkflowId() throws Exception {
    int rounds = 5;
    List<String> withHooks = stack.seedPending("latency-hooks", rounds + 1);
    List<String> without = stack.seedPending("latency-none", rounds + 1);
    // One warm-up activation each (connections, JIT), not measured.
    assertThat(activate(starter, withHooks.get(rounds)).statusCode()).isEqualTo(200);
    assertThat(activate(starterWithoutEvents, without.get(rounds)).statusCode()).isEqualTo(200);

    List<Long> hookMillis = new ArrayList<>();
    List<Long> noneMillis = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      // Alternate which goes first, so drift in the machine's load hits both sides alike.
      boolean hooksFirst = i % 2 == 0;
      for (int side = 0; side < 2; side++) {
        boolean hooks = (side == 0) == hooksFirst;
        long start = System.nanoTime();
        HttpResponse<String> response =
            activate(hooks ? starter : starterWithoutEvents, (hooks ? withHooks : without).get(i));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        (hooks ? hookMillis : noneMillis).add(millis);
      }
    }
    double hookMedian = median(hookMillis);
    double noneMedian = median(noneMillis);
    double ratio = hookMedian / Math.max(1.0, noneMedian);
    System.out.printf(
        "events: activation latency with a 9 s receiver %s ms (median %.0f), without a URL %s ms"
            + " (median %.0f), ratio %.2f%n",
        hookMillis, hookMedian, noneMillis, noneMedian, ratio);
    assertThat(ratio < 3.0 || hookMedian - noneMedian < 2000)
        .as("median %.0f ms with the receiver vs %.0f ms without", hookMedian, noneMedian)
        .isTrue();
    assertThat(Collections.max(hookMillis)).isLessThan(SLOW.toMillis());
    // The worker without URLs sent nothing.
    for (String id : without) {
      assertThat(about(id)).isEmpty();
    }

    // Once the last activation's event has been refused once by /slow (500 after 9 s) and is
    // being retried, a second request for the experiment is answered as usual.
    String last = withHooks.get(rounds - 1);
    String eventId = activatedEventId(last);
    await(
        "the first (refused) /slow attempt of " + last,
        Duration.ofSeconds(20),
        () -> !to("/slow", last).isEmpty());
    assertThat(deliveryStatus(eventId, SLOW_URL))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    long start = System.nanoTime();
    HttpResponse<String> again = activate(starter, last);
    long againMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(409);
    assertThat(again.body()).contains("ALREADY_ACTIVE");
    assertThat(deliveryStatus(eventId, SLOW_URL))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    assertThat(to("/slow", last)).extracting(Received::answer).containsExactly(500);

    // The slow receiver gets it on the second attempt: same id, both signatures valid.
    await(
        "the /slow delivery of " + last,
        Duration.ofSeconds(40),
        () -> to("/slow", last).stream().anyMatch(r -> r.answer() == 200));
    List<Received> slow = to("/slow", last);
    assertThat(slow).extracting(Received::answer).containsExactly(500, 200);
    assertThat(slow).extracting(Received::id).containsOnly(eventId);
    assertThat(slow).extracting(Received::verdict).containsOnly("ok");
    assertThat(about(last)).extracting(Received::id).containsOnly(eventId);
    System.out.printf(
        "events: 409 ALREADY_ACTIVE answered in %d ms while the event was being retried at /slow%n",
        againMillis);
  }

  @Test
  @Order(3)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void runsThatChangeNothingSendNothingAndAStormMakesOneEvent() throws Exception {
    List<String> ids = stack.seedPending("quiet", 3);
    String rejected = ids.get(0);
    String active = ids.get(1);
    String control = ids.get(2);
    try (Connection c = stack.database.dataSource().getConnection();
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE \"ABTest\" SET configuration = CAST(? AS jsonb) WHERE id = ?")) {
      update.setString(
          1, "{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.3, 0.3]}");
      update.setString(2, rejected);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
    assertThat(activate(starter, active).statusCode()).isEqualTo(200);
    String activeEvent = activatedEventId(active);

    HttpResponse<String> refused = activate(starter, rejected);
    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
    assertThat(refused.body()).contains("REJECTED");
    assertThat(activate(starter, active).statusCode()).isEqualTo(409);
    assertThat(activate(starter, "quiet-missing").statusCode()).isEqualTo(404);
    // A later change's event arrives promptly; by then (and 2 s more) nothing came for the above.
    assertThat(activate(starter, control).statusCode()).isEqualTo(200);
    activatedEventId(control);
    Thread.sleep(2000);
    assertThat(about(rejected)).isEmpty();
    assertThat(about("quiet-missing")).isEmpty();
    assertThat(about(active)).extracting(Received::id).containsOnly(activeEvent);

    // 200 concurrent requests for one experiment: one transition, one event.
    String storm = stack.seedPending("storm", 1).get(0);
    List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      requests.add(
          http.sendAsync(
              ActivationLoad.activationPost(
                  starter.uri(ActivationLoad.PATH),
                  ActivationLoad.activateBody(storm),
                  Duration.ofSeconds(90)),
              HttpResponse.BodyHandlers.ofString()));
    }
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (CompletableFuture<HttpResponse<String>> request : requests) {
      HttpResponse<String> response = request.get(120, TimeUnit.SECONDS);
      statuses.merge(response.statusCode(), 1, Integer::sum);
      if (response.statusCode() == 202) {
        // Still waiting when the starter's wait budget ran out (a 2-core machine under the storm):
        // the contract's IN_PROGRESS, not a schedule.
        assertThat(response.body()).contains("IN_PROGRESS");
      }
    }
    assertThat(statuses.keySet()).as("statuses %s", statuses).isSubsetOf(200, 202, 409);
    assertThat(statuses).containsKey(200);
    String stormEvent = activatedEventId(storm);
    Thread.sleep(3000);
    List<Received> ok = to("/ok", storm);
    assertThat(ok).hasSize(1);
    assertThat(ok.get(0).type()).isEqualTo("experiment.activated");
    assertThat(ok.get(0).verdict()).isEqualTo("ok");
    assertThat(about(storm)).extracting(Received::id).containsOnly(stormEvent);
    FaultStack.Counts counts = stack.counts("storm");
    assertThat(counts.active()).isEqualTo(1);
    assertThat(counts.auditRows()).isEqualTo(1);
    System.out.printf(
        "events: storm of 200 requests answered %s; one experiment.activated (%s)%n",
        statuses, stormEvent);
  }

  @Test
  @Order(4)
  @Timeout(value = 2, unit = TimeUnit.MINUTES)
  void scheduledActivationsAnnounceScheduledActivatedAndCancelled() throws Exception {
    List<String> ids = stack.seedPending("sched", 2);
    String due = ids.get(0);
    String cancelled = ids.get(1);
    Instant dueAt = Instant.now().plusSeconds(6).truncatedTo(ChronoUnit.SECONDS);
    Instant laterAt = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    HttpResponse<String> scheduled =
        post(starter, "{\"experimentId\":\"" + due + "\",\"activateAt\":\"" + dueAt + "\"}");
    assertThat(scheduled.statusCode()).as(scheduled.body()).isEqualTo(202);
    HttpResponse<String> other =
        post(
            starter, "{\"experimentId\":\"" + cancelled + "\",\"activateAt\":\"" + laterAt + "\"}");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(202);
    HttpResponse<String> cancel =
        http.send(
            HttpRequest.newBuilder(
                    starter.uri(
                        "/api/nous/ab-testing/experiments/activations/" + cancelled + "/schedule"))
                .timeout(Duration.ofSeconds(60))
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(cancel.statusCode()).as(cancel.body()).isEqualTo(200);
    assertThat(cancel.body()).contains("CANCELLED");

    await(
        "two events for " + due + " at /ok",
        Duration.ofSeconds(40),
        () -> to("/ok", due).size() >= 2);
    await(
        "two events for " + cancelled + " at /ok",
        Duration.ofSeconds(20),
        () -> to("/ok", cancelled).size() >= 2);
    Thread.sleep(1000);

    List<Received> dueEvents = to("/ok", due);
    assertThat(dueEvents)
        .extracting(Received::type)
        .containsExactly("experiment.activation.scheduled", "experiment.activated");
    // Two runs of the delivery workflow may arrive in either order: ordered by the event's time.
    List<Received> cancelledEvents = new ArrayList<>(to("/ok", cancelled));
    cancelledEvents.sort(
        Comparator.comparing(r -> Instant.parse(r.json().path("timestamp").asText())));
    assertThat(cancelledEvents)
        .extracting(Received::type)
        .containsExactly("experiment.activation.scheduled", "experiment.activation.cancelled");
    for (Received r : concat(dueEvents, cancelledEvents)) {
      assertThat(r.verdict()).as(r.body()).isEqualTo("ok");
      JsonNode data = r.json().path("data");
      assertThat(data.path("workflowId").asText()).startsWith("activate-experiment:sched-");
      assertThat(data.path("runId").asText()).isNotEmpty();
      assertThat(data.path("previousStatus").asText()).isEqualTo("PENDING");
      assertThat(data.path("experiment").path("id").asText())
          .isEqualTo(data.path("experimentId").asText());
      assertThat(data.has("requestedBy")).isTrue();
    }
    assertThat(concat(dueEvents, cancelledEvents)).extracting(Received::id).doesNotHaveDuplicates();

    JsonNode scheduledData = dueEvents.get(0).json().path("data");
    assertThat(Instant.parse(scheduledData.path("activateAt").asText())).isEqualTo(dueAt);
    assertThat(scheduledData.has("activatedAt")).isFalse();
    assertThat(scheduledData.path("status").asText()).isEqualTo("PENDING");

    JsonNode activatedData = dueEvents.get(1).json().path("data");
    assertThat(activatedData.has("activateAt")).isFalse();
    Instant activatedAt = Instant.parse(activatedData.path("activatedAt").asText());
    assertThat(activatedAt).isAfterOrEqualTo(dueAt.minusSeconds(1));
    assertThat(activatedData.path("status").asText()).isEqualTo("ACTIVE");
    assertThat(activatedData.path("experiment").path("status").asText()).isEqualTo("ACTIVE");

    for (Received r : cancelledEvents) {
      JsonNode data = r.json().path("data");
      assertThat(Instant.parse(data.path("activateAt").asText())).isEqualTo(laterAt);
      assertThat(data.has("activatedAt")).isFalse();
      assertThat(data.path("status").asText()).isEqualTo("PENDING");
    }
    // What the slow URL got so far (its attempts take 9 s; not awaited) is signed alike.
    assertThat(concat(to("/slow", due), to("/slow", cancelled)))
        .allMatch(r -> "ok".equals(r.verdict()));
    System.out.printf(
        "events: scheduled for %s, activated at %s (%d ms after the time); other schedule"
            + " cancelled: %s%n",
        dueAt,
        activatedAt,
        Duration.between(dueAt, activatedAt).toMillis(),
        cancelledEvents.stream().map(Received::type).toList());
  }

  private static List<Received> concat(List<Received> a, List<Received> b) {
    List<Received> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
