package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.Outcome;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.LoopbackTemporalServer;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Logging;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import dev.abtest.testing.WorkflowRuns;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker process as the dev stack and {@code worker.jar} run it: real PostgreSQL, the Temporal
 * test server over gRPC, the ops endpoints over HTTP, and its log lines captured as written.
 */
@PostgresTest(ownServer = true, migrated = false)
class WorkerAppTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static final ByteArrayOutputStream logs = new ByteArrayOutputStream();
  private static EmbeddedPostgres postgres;
  private static LoopbackTemporalServer temporal;
  private static Map<String, String> env;
  private static WorkerApp app;
  private static WorkflowServiceStubs clientStubs;
  private static ActivationClient activations;
  private static PostgresDatabase database;

  @BeforeAll
  static void startEverything(PostgresDatabase empty) throws IOException {
    // The class's own server (tests stop it), an empty database the worker migrates itself.
    database = empty;
    postgres = empty.server();
    temporal = LoopbackTemporalServer.start(0);

    env = new HashMap<>();
    env.put("POSTGRESQL_URL", database.postgresqlUrl());
    env.put("TEMPORAL_ADDRESS", temporal.target());
    env.put("HTTP_PORT", "0");
    env.put("SHUTDOWN_DRAIN_TIMEOUT", "5s");
    WorkerConfig config = WorkerConfig.fromEnv(new Env(env));
    Logging logging = Logging.configure(config.logging(), logs);
    config.secrets().forEach(logging::redact);

    app = new WorkerApp(config).start();

    TemporalSettings settings = config.temporal();
    clientStubs = settings.connectLazily();
    activations = new ActivationClient(settings.client(clientStubs), settings.taskQueue());
  }

  @AfterAll
  static void stopEverything() {
    if (app != null) {
      app.close();
    }
    if (clientStubs != null) {
      clientStubs.shutdownNow();
    }
    if (temporal != null) {
      temporal.close();
    }
    // Whatever ran in this class, including start-up and shutdown, never wrote the password.
    String all = logs.toString(StandardCharsets.UTF_8);
    assertThat(all).doesNotContain(database.password());
    Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.JSON), System.out);
  }

  @Test
  void anActivationRunsEndToEndAndIsCountedOnceInMetrics() throws Exception {
    insertPendingExperiment("exp_metrics");
    double before = counter(scrape(), "activations_total", "outcome=\"ACTIVATED\"");

    ActivationResult result = activations.activate("exp_metrics", "alice", Duration.ofSeconds(30));

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(counter(scrape(), "activations_total", "outcome=\"ACTIVATED\""))
        .isEqualTo(before + 1);
    String metrics = scrape();
    assertThat(
            counter(
                metrics,
                "activation_activity_attempts_total",
                "activity=\"ValidateExperiment\",",
                "result=\"success\""))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            counter(
                metrics,
                "activation_activity_attempts_total",
                "activity=\"WriteValidatedSnapshot\",",
                "result=\"success\""))
        .isGreaterThanOrEqualTo(1);
    // The SDK's own metrics arrive through the tally scope, reported every second.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(scrape()).contains("temporal_workflow_completed_total"));
    assertThat(scrape()).contains("temporal_activity_execution_latency");

    // A rejected-outcome activation moves its own label, by one.
    double notFoundBefore = counter(scrape(), "activations_total", "outcome=\"NOT_FOUND\"");
    assertThat(activations.activate("exp_missing", "alice", Duration.ofSeconds(30)).outcome())
        .isEqualTo(Outcome.NOT_FOUND);
    assertThat(counter(scrape(), "activations_total", "outcome=\"NOT_FOUND\""))
        .isEqualTo(notFoundBefore + 1);
  }

  @Test
  void failedAttemptsAreCountedButTheActivationOnlyOnceWhenTheDatabaseComesBack() throws Exception {
    insertPendingExperiment("exp_outage");
    String before = scrape();
    double activatedBefore = counter(before, "activations_total", "outcome=\"ACTIVATED\"");
    double failuresBefore =
        counter(
            before,
            "activation_activity_attempts_total",
            "activity=\"ValidateExperiment\",",
            "result=\"failure\"");

    postgres.stop();
    ActivationClient.Started started;
    try {
      started = activations.start("exp_outage", "dave");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  counter(
                          scrape(),
                          "activation_activity_attempts_total",
                          "activity=\"ValidateExperiment\",",
                          "result=\"failure\"")
                      > failuresBefore);
    } finally {
      postgres.start();
    }

    assertThat(started.result(Duration.ofSeconds(60)).outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(counter(scrape(), "activations_total", "outcome=\"ACTIVATED\""))
        .isEqualTo(activatedBefore + 1);
  }

  @Test
  void everyRunCarriesBothSearchAttributesAndItsStaticSummary() throws Exception {
    insertPendingExperiment("exp_search");
    ActivationClient.Started started = activations.start("exp_search", "bob");
    assertThat(started.result(Duration.ofSeconds(30)).outcome()).isEqualTo(Outcome.ACTIVATED);

    var description = WorkflowRuns.describe(clientStubs, started.workflowId(), started.runId());
    var attributes =
        description.getWorkflowExecutionInfo().getSearchAttributes().getIndexedFieldsMap();
    assertThat(attributes).containsKeys("ExperimentId", "ActivationOutcome");
    assertThat(attributes.get("ActivationOutcome").getData().toStringUtf8()).contains("ACTIVATED");
    // What the Web UI shows for the run: the static summary and details the client set.
    var metadata = description.getExecutionConfig().getUserMetadata();
    assertThat(metadata.getSummary().getData().toStringUtf8())
        .contains("Activate exp_search requested by bob");
    assertThat(metadata.getDetails().getData().toStringUtf8()).contains("conditional UPDATE");
  }

  @Test
  void everyLogLineOfAnActivationIsJsonCarryingItsIds() throws Exception {
    insertPendingExperiment("exp_logs");
    ActivationClient.Started started = activations.start("exp_logs", "carol");
    assertThat(started.result(Duration.ofSeconds(30)).outcome()).isEqualTo(Outcome.ACTIVATED);

    List<JsonNode> lines = new ArrayList<>();
    for (String line : logs.toString(StandardCharsets.UTF_8).split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line)); // throws on anything that is not one JSON object per line
      }
    }
    List<JsonNode> ofThisRun =
        lines.stream().filter(line -> started.runId().equals(text(line, "runId"))).toList();
    assertThat(ofThisRun).isNotEmpty();
    for (JsonNode line : ofThisRun) {
      assertThat(text(line, "experimentId")).as(line.toString()).isEqualTo("exp_logs");
      assertThat(text(line, "workflowId")).as(line.toString()).isEqualTo(started.workflowId());
    }
    // Workflow lines (replay-safe logger) and activity lines (with their attempt) are both there.
    assertThat(ofThisRun)
        .anySatisfy(
            line ->
                assertThat(text(line, "message"))
                    .startsWith("Activation of exp_logs requested by carol"));
    assertThat(ofThisRun)
        .anySatisfy(
            line -> {
              assertThat(text(line, "activityType")).isNotNull();
              assertThat(text(line, "activityAttempt")).isEqualTo("1");
            });
  }

  @Test
  void readyzTurnsUnreadyWhilePostgresIsStoppedAndReadyWhenItIsBack() throws Exception {
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/readyz").statusCode() == 200);
    assertThat(get("/readyz").body())
        .isEqualTo(
            "{\"status\":\"UP\",\"checks\":{\"database\":\"UP\",\"temporal\":\"UP\",\"worker\":\"UP\"}}");

    postgres.stop();
    try {
      await()
          .atMost(Duration.ofSeconds(15))
          .untilAsserted(
              () -> {
                HttpResponse<String> response = get("/readyz");
                assertThat(response.statusCode()).isEqualTo(503);
                // DOWN (refused) or TIMEOUT (no answer in time): either way, not ready.
                assertThat(response.body())
                    .containsPattern("\"database\":\"(DOWN|TIMEOUT)\"")
                    .contains("\"temporal\":\"UP\"");
              });
      assertThat(get("/healthz").statusCode()).isEqualTo(200);
    } finally {
      postgres.start();
    }
    await().atMost(Duration.ofSeconds(20)).until(() -> get("/readyz").statusCode() == 200);
  }

  @Test
  void closingDrainsAndStopsServingAndIsIdempotent() throws Exception {
    Map<String, String> second = new HashMap<>(env);
    second.put("TEMPORAL_TASK_QUEUE", "drain-test");
    WorkerApp other = new WorkerApp(WorkerConfig.fromEnv(new Env(second))).start();
    String url = other.opsUrl();
    assertThat(
            HTTP.send(
                    HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode())
        .isEqualTo(200);

    other.close();
    other.close();

    String written = logs.toString(StandardCharsets.UTF_8);
    assertThat(written).contains("Draining: polling stopped").contains("Worker stopped");
    assertThat(
            catchConnect(
                () ->
                    HTTP.send(
                        HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
                        HttpResponse.BodyHandlers.ofString())))
        .isInstanceOf(ConnectException.class);
  }

  private interface Call {
    Object run() throws Exception;
  }

  private static Throwable catchConnect(Call call) {
    try {
      call.run();
      return null;
    } catch (Exception e) {
      return e;
    }
  }

  private static String text(JsonNode line, String field) {
    JsonNode value = line.get(field);
    return value == null ? null : value.asText();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(app.opsUrl() + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String scrape() throws Exception {
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /**
   * The value of the first sample of {@code name} whose labels contain every fragment; 0 if none.
   */
  private static double counter(String metrics, String name, String... labelFragments) {
    Pattern sample =
        Pattern.compile("^" + Pattern.quote(name) + "\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher matcher = sample.matcher(metrics);
    while (matcher.find()) {
      String labels = matcher.group(1) + ",";
      if (Stream.of(labelFragments).allMatch(labels::contains)) {
        return Double.parseDouble(matcher.group(2));
      }
    }
    return 0;
  }

  private static void insertPendingExperiment(String id) {
    ExperimentRow.pending(id).insert(database.dataSource());
  }
}
