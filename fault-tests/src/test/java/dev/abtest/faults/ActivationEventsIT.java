package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.abtest.testing.ServiceProcess;
import dev.abtest.testing.WorkflowRuns;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * Activation events from the real worker and starter processes, on the CLI's dev server and an
 * embedded PostgreSQL, to receivers on loopback in this test. Every request a receiver gets is
 * verified by the Standard Webhooks reference library ({@code standardwebhooks} on npm, run by node
 * from clients/webhook-verify), independently of the worker's signer.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivationEventsIT {
  static final Path VERIFIER =
      Path.of(System.getProperty("faults.webhookVerifier", "../clients/webhook-verify"))
          .toAbsolutePath()
          .normalize();
  static final Duration BUDGET = Duration.ofSeconds(30);
  static final ObjectMapper JSON = new ObjectMapper();

  private static FaultStack stack;
  private static ServiceProcess worker;
  private static ServiceProcess starter;
  private static HttpServer receiver;
  private static Verifier verifier;
  private static String secret;

  /** Receiver state: /flaky answers 500 to its first three attempts per event, then 200. */
  private static final AtomicInteger flakyFailuresLeft = new AtomicInteger(3);

  /** /outage refuses (503) while this is set: a receiver that is down. */
  private static final AtomicBoolean outage = new AtomicBoolean(false);

  private static final List<Received> received = new CopyOnWriteArrayList<>();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Received(
      String path, String id, String timestamp, String body, String verdict, int answer) {}

  @BeforeAll
  static void startStack() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    verifier = Verifier.start(secret);
    receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.setExecutor(Executors.newFixedThreadPool(4));
    receiver.createContext("/", ActivationEventsIT::receive);
    receiver.start();
    stack = FaultStack.start("events");
    worker = stack.startWorker(workerEnv());
    starter = stack.startStarter(FaultStack.PATIENT_STARTER);
  }

  private static Map<String, String> workerEnv() {
    String base = "http://127.0.0.1:" + receiver.getAddress().getPort();
    return Map.of(
        "ACTIVATION_WEBHOOK_URLS",
        base + "/flaky," + base + "/dead?token=abc," + base + "/outage",
        "ACTIVATION_WEBHOOK_SECRET",
        secret,
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
      receiver.stop(0);
    }
    if (verifier != null) {
      verifier.close();
    }
  }

  private static void receive(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
    String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
    String verdict = verifier.verify(id, timestamp, signature, body);
    int answer =
        switch (path) {
          case "/flaky" -> flakyFailuresLeft.getAndDecrement() > 0 ? 500 : 200;
          case "/outage" -> outage.get() ? 503 : 204;
          default -> 500;
        };
    received.add(new Received(path, id, timestamp, body, verdict, answer));
    exchange.sendResponseHeaders(answer, -1);
    exchange.close();
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
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(starter.uri(ActivationLoad.PATH))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60))
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"experimentId\":\"" + experimentId + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return response;
  }

  private static List<Received> to(String path, String experimentId) {
    List<Received> out = new ArrayList<>();
    for (Received r : received) {
      if (r.path().equals(path) && r.body().contains("\"experimentId\":\"" + experimentId + "\"")) {
        out.add(r);
      }
    }
    return out;
  }

  private static void await(String what, Duration timeout, java.util.function.BooleanSupplier done)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; received " + received);
      }
      Thread.sleep(200);
    }
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
    int before = received.size();
    assertThat(activateStatus(id)).isEqualTo(409);
    assertThat(activateStatus("events-missing")).isEqualTo(404);
    Thread.sleep(3000);
    assertThat(received.subList(before, received.size()))
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
    assertThat(Files.readString(worker.log())).doesNotContain(secret.substring(6));
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

  /** The reference library in a node process: one line in, "ok" or "error: ..." out. */
  static final class Verifier implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    private Verifier(Process process) {
      this.process = process;
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Verifier start(String secret) throws Exception {
      if (!installed()) {
        System.out.println("events: npm ci in " + VERIFIER + " (node_modules missing or stale)");
        Process install =
            new ProcessBuilder(
                    "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent")
                .directory(VERIFIER.toFile())
                .inheritIO()
                .start();
        if (!install.waitFor(3, TimeUnit.MINUTES)) {
          install.destroyForcibly();
          throw new IllegalStateException("npm ci in " + VERIFIER + " took over 3 minutes");
        }
        if (install.exitValue() != 0) {
          throw new IllegalStateException(
              "npm ci in " + VERIFIER + " failed with exit code " + install.exitValue());
        }
      }
      if (!installed()) {
        throw new IllegalStateException("npm ci in " + VERIFIER + " left no standardwebhooks");
      }
      Process process =
          new ProcessBuilder("node", "verify.mjs", secret)
              .directory(VERIFIER.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      return new Verifier(process);
    }

    /**
     * The locked dependencies are installed: npm ci writes node_modules/.package-lock.json, which
     * must be at least as new as the committed lock file (a changed lock file reinstalls).
     */
    static boolean installed() throws IOException {
      Path modules = VERIFIER.resolve("node_modules");
      Path installedLock = modules.resolve(".package-lock.json");
      return Files.isRegularFile(modules.resolve("standardwebhooks").resolve("package.json"))
          && Files.isRegularFile(installedLock)
          && Files.getLastModifiedTime(installedLock)
                  .compareTo(Files.getLastModifiedTime(VERIFIER.resolve("package-lock.json")))
              >= 0;
    }

    synchronized String verify(String id, String timestamp, String signature, String body)
        throws IOException {
      var headers = JSON.createObjectNode();
      headers.put("webhook-id", id);
      headers.put("webhook-timestamp", timestamp);
      headers.put("webhook-signature", signature);
      var line = JSON.createObjectNode();
      line.set("headers", headers);
      line.put("body", body);
      in.write(JSON.writeValueAsString(line) + "\n");
      in.flush();
      String answer = out.readLine();
      return answer == null ? "error: verifier exited" : answer;
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
