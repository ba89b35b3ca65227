package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ExperimentStatus;
import java.net.http.HttpRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract's table, row by row, through real HTTP against the real worker and database. */
@ExtendWith(TestStack.Resolver.class)
class ActivationRouteTest {
  private static final String PRISMA_TIME = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

  static TestStack stack;
  static Api api;
  static String token;

  @BeforeAll
  static void start(TestStack shared) {
    stack = shared;
    api = shared.api;
    token = shared.token("alice");
  }

  @Test
  void activatesAPendingExperimentAndAnswersTheRowInPrismaShape() {
    String id = stack.insert("pending", ExperimentStatus.PENDING);

    Api.Reply reply = api.activate(id, token);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().get("success").asBoolean()).isTrue();
    JsonNode row = reply.body().get("data");
    List<String> fields = new ArrayList<>();
    row.fieldNames().forEachRemaining(fields::add);
    assertThat(fields)
        .containsExactly(
            "id",
            "name",
            "description",
            "startDate",
            "endDate",
            "status",
            "configuration",
            "createdAt",
            "updatedAt");
    assertThat(row.get("id").asText()).isEqualTo(id);
    assertThat(row.get("status").asText()).isEqualTo("ACTIVE");
    assertThat(row.get("description").isNull()).isTrue();
    for (String time : List.of("startDate", "endDate", "createdAt", "updatedAt")) {
      assertThat(row.get(time).asText()).as(time).matches(PRISMA_TIME);
    }
    assertThat(row.get("configuration").get("variants").get(1).asText()).isEqualTo("treatment");
    // From PENDING the start date is now.
    Instant started = Instant.parse(row.get("startDate").asText());
    assertThat(started)
        .isCloseTo(Instant.now(), org.assertj.core.api.Assertions.within(1, ChronoUnit.MINUTES));
    assertThat(stack.status(id)).isEqualTo("ACTIVE");
    assertThat(stack.auditRows(id))
        .singleElement()
        .satisfies(
            audit -> {
              assertThat(audit.get("requested_by")).isEqualTo("alice");
              assertThat(audit.get("previous_status")).hasToString("PENDING");
            });
  }

  @Test
  void resumesAStoppedExperimentKeepingItsStartDate() {
    String id = stack.insert("stopped", ExperimentStatus.STOPPED);
    String startBefore =
        stack.jdbi.withHandle(
            h ->
                h.createQuery("SELECT \"startDate\"::text FROM \"ABTest\" WHERE id = :id")
                    .bind("id", id)
                    .mapTo(String.class)
                    .one());

    Api.Reply reply = api.activate(id, token);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().at("/data/status").asText()).isEqualTo("ACTIVE");
    assertThat(Instant.parse(reply.body().at("/data/startDate").asText()))
        .isEqualTo(Instant.parse(startBefore.replace(' ', 'T') + "Z"));
  }

  @Test
  void unknownExperimentIs404NotFound() {
    Api.Reply reply = api.activate(TestStack.newId("missing"), token);

    assertError(reply, 404, "Experiment not found", "NOT_FOUND");
  }

  @Test
  void activeExperimentIs409AlreadyActiveAndNothingIsWritten() {
    String id = stack.insert("active", ExperimentStatus.ACTIVE);
    List<String> before = stack.allRows();

    Api.Reply reply = api.activate(id, token);

    assertError(reply, 409, "Experiment is already active", "ALREADY_ACTIVE");
    assertThat(stack.allRows()).isEqualTo(before);
    assertThat(stack.auditCount(id)).isZero();
  }

  @Test
  void secondActivationOfTheSameExperimentIs409() {
    String id = stack.insert("twice", ExperimentStatus.PENDING);

    assertThat(api.activate(id, token).status()).isEqualTo(200);
    Api.Reply again = api.activate(id, token);

    assertError(again, 409, "Experiment is already active", "ALREADY_ACTIVE");
    assertThat(stack.auditCount(id)).isEqualTo(1);
  }

  @Test
  void badConfigurationIs422RejectedListingEveryViolation() {
    String id =
        stack.insert(
            "badconfig",
            ExperimentStatus.PENDING,
            "{\"variants\": [\"control\", \"control\"], \"distribution\": [0.7, 0.7]}",
            Instant.now().plus(30, ChronoUnit.DAYS));

    Api.Reply reply = api.activate(id, token);

    assertError(reply, 422, "Experiment cannot be activated", "REJECTED");
    List<String> codes = new ArrayList<>();
    reply
        .body()
        .get("details")
        .forEach(
            v -> {
              codes.add(v.get("code").asText());
              assertThat(v.get("message").asText()).isNotBlank();
            });
    assertThat(codes).contains("DUPLICATE_VARIANT_NAME", "WEIGHTS_DO_NOT_SUM_TO_ONE");
    assertThat(stack.status(id)).isEqualTo("PENDING");
  }

  @Test
  void completedAndExpiredExperimentsAre422() {
    String completed = stack.insert("completed", ExperimentStatus.COMPLETED);
    String expired =
        stack.insert(
            "expired",
            ExperimentStatus.PENDING,
            TestStack.VALID_CONFIGURATION,
            Instant.now().minus(1, ChronoUnit.DAYS));

    Api.Reply terminal = api.activate(completed, token);
    Api.Reply past = api.activate(expired, token);

    assertError(terminal, 422, "Experiment cannot be activated", "REJECTED");
    assertThat(terminal.body().get("details").toString()).contains("STATUS_TERMINAL");
    assertError(past, 422, "Experiment cannot be activated", "REJECTED");
    assertThat(past.body().get("details").toString()).contains("END_DATE_NOT_IN_FUTURE");
    assertThat(stack.status(completed)).isEqualTo("COMPLETED");
    assertThat(stack.status(expired)).isEqualTo("PENDING");
  }

  @Test
  void malformedJsonIs400NamingTheBody() {
    Api.Reply reply = api.post(Api.ACTIVATE, "{\"experimentId\": ", token);

    assertError(reply, 400, "Invalid request format", "INVALID_REQUEST");
    assertThat(reply.body().at("/details/field").asText()).isEqualTo("body");
  }

  @Test
  void blankNonStringAndOverlongIdsAre400NamingTheField() {
    for (String body :
        List.of(
            "{\"experimentId\": \"   \"}",
            "{\"experimentId\": 42}",
            "{}",
            "{\"experimentId\": \"" + "x".repeat(129) + "\"}")) {
      Api.Reply reply = api.post(Api.ACTIVATE, body, token);
      assertError(reply, 400, "Invalid request format", "INVALID_REQUEST");
      assertThat(reply.body().at("/details/field").asText()).as(body).isEqualTo("experimentId");
      assertThat(reply.body().at("/details/problem").asText()).as(body).isNotBlank();
    }
  }

  @Test
  void idIsTrimmedAndUnknownFieldsAreIgnoredLikeTheOriginalSchema() {
    String id = stack.insert("trim", ExperimentStatus.PENDING);

    Api.Reply reply =
        api.post(
            Api.ACTIVATE,
            "{\"experimentId\": \"  " + id + "\\t\", \"note\": {\"any\": [1, 2]}}",
            token);

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.body().at("/data/id").asText()).isEqualTo(id);
  }

  @Test
  void tooLargeBodyIs413() {
    String body = "{\"experimentId\": \"x\", \"pad\": \"" + "a".repeat(20_000) + "\"}";

    Api.Reply reply = api.post(Api.ACTIVATE, body, token);

    assertError(reply, 413, "Request body too large", "PAYLOAD_TOO_LARGE");
  }

  @Test
  void tooLargeChunkedBodyWithoutContentLengthIs413() {
    byte[] chunk =
        "{\"experimentId\": \"x\", \"pad\": \"".concat("b".repeat(30_000)).concat("\"}").getBytes();
    HttpRequest request =
        api.request(Api.ACTIVATE, token)
            .header("Content-Type", "application/json")
            // A publisher of unknown length makes the client send Transfer-Encoding: chunked.
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream(chunk)))
            .build();

    Api.Reply reply = api.send(request);

    assertError(reply, 413, "Request body too large", "PAYLOAD_TOO_LARGE");
  }

  @Test
  void nonJsonContentTypeIs415() {
    HttpRequest request =
        api.request(Api.ACTIVATE, token)
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"x\"}"))
            .build();

    assertError(
        api.send(request), 415, "Content-Type must be application/json", "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void jsonWithCharsetIsAccepted() {
    String id = stack.insert("charset", ExperimentStatus.PENDING);
    HttpRequest request =
        api.request(Api.ACTIVATE, token)
            .header("Content-Type", "Application/JSON; charset=UTF-8")
            .POST(HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"" + id + "\"}"))
            .build();

    assertThat(api.send(request).status()).isEqualTo(200);
  }

  @Test
  void otherMethodsAre405WithAllowHeader() {
    for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
      HttpRequest request =
          api.request(Api.ACTIVATE, token)
              .method(method, HttpRequest.BodyPublishers.noBody())
              .build();
      Api.Reply reply = api.send(request);
      assertError(reply, 405, "Method not allowed", "METHOD_NOT_ALLOWED");
      assertThat(reply.header("Allow")).isEqualTo("POST");
    }
  }

  @Test
  void statusRouteReportsTheCompletedRunAndItsResult() {
    String id = stack.insert("status", ExperimentStatus.PENDING);
    assertThat(api.activate(id, token).status()).isEqualTo(200);

    Api.Reply reply = api.get(Api.ACTIVATIONS + "/" + id, token);

    assertThat(reply.status()).isEqualTo(200);
    JsonNode data = reply.body().get("data");
    assertThat(data.get("workflowId").asText()).isEqualTo("activate-experiment:" + id);
    assertThat(data.get("runId").asText()).isNotBlank();
    assertThat(data.get("status").asText()).isEqualTo("COMPLETED");
    assertThat(data.at("/result/outcome").asText()).isEqualTo("ACTIVATED");
    assertThat(data.at("/result/experiment/status").asText()).isEqualTo("ACTIVE");
    assertThat(data.at("/result/previousStatus").asText()).isEqualTo("PENDING");
    assertThat(data.at("/result/activatedAt").asText()).matches(PRISMA_TIME);
  }

  @Test
  void statusRouteIs404WithoutAnyActivationAnd400ForABadId() {
    assertError(
        api.get(Api.ACTIVATIONS + "/" + TestStack.newId("never"), token),
        404,
        "No activation found for this experiment",
        "NOT_FOUND");
    assertError(
        api.get(Api.ACTIVATIONS + "/%20%20", token),
        400,
        "Invalid request format",
        "INVALID_REQUEST");
    assertError(
        api.get(Api.ACTIVATIONS + "/a%00b", token),
        400,
        "Invalid request format",
        "INVALID_REQUEST");
  }

  @Test
  void historyRouteListsActivationsNewestFirstInPages() {
    String id = stack.insert("history", ExperimentStatus.PENDING);
    assertThat(api.activate(id, stack.token("first")).status()).isEqualTo(200);
    stack.jdbi.useHandle(
        h -> h.execute("UPDATE \"ABTest\" SET status = 'STOPPED' WHERE id = ?", id));
    assertThat(api.activate(id, stack.token("second")).status()).isEqualTo(200);

    Api.Reply first = api.get(Api.ACTIVATIONS + "?experimentId=" + id + "&limit=1", token);
    assertThat(first.status()).isEqualTo(200);
    JsonNode page = first.body().get("data");
    assertThat(page.get("records")).hasSize(1);
    JsonNode newest = page.get("records").get(0);
    assertThat(newest.get("requestedBy").asText()).isEqualTo("second");
    assertThat(newest.get("previousStatus").asText()).isEqualTo("STOPPED");
    assertThat(newest.get("outcome").asText()).isEqualTo("ACTIVATED");
    assertThat(newest.get("activatedAt").asText()).matches(PRISMA_TIME);
    assertThat(newest.get("workflowId").asText()).isEqualTo("activate-experiment:" + id);
    assertThat(newest.get("runId").asText()).isNotBlank();
    String cursor = page.get("nextCursor").asText();

    Api.Reply second =
        api.get(Api.ACTIVATIONS + "?experimentId=" + id + "&limit=1&cursor=" + cursor, token);
    JsonNode older = second.body().at("/data/records/0");
    assertThat(older.get("requestedBy").asText()).isEqualTo("first");
    assertThat(older.get("previousStatus").asText()).isEqualTo("PENDING");
    assertThat(second.body().at("/data/nextCursor").isNull()).isTrue();
  }

  @Test
  void a200A409AndA422EachLeaveTheirDecisionInTheHistoryFilterableByOutcome() {
    String id = stack.insert("audited", ExperimentStatus.PENDING);
    assertThat(api.activate(id, stack.token("first")).status()).isEqualTo(200);
    assertThat(api.activate(id, stack.token("again")).status()).isEqualTo(409);
    stack.jdbi.useHandle(
        h -> h.execute("UPDATE \"ABTest\" SET status = 'COMPLETED' WHERE id = ?", id));
    assertThat(api.activate(id, stack.token("late")).status()).isEqualTo(422);

    JsonNode records =
        api.get(Api.ACTIVATIONS + "?experimentId=" + id, token).body().at("/data/records");
    assertThat(records).hasSize(3);
    JsonNode rejected = records.get(0);
    assertThat(rejected.get("outcome").asText()).isEqualTo("REJECTED");
    assertThat(rejected.get("requestedBy").asText()).isEqualTo("late");
    assertThat(rejected.get("previousStatus").asText()).isEqualTo("COMPLETED");
    assertThat(rejected.get("violationCodes").toString()).isEqualTo("[\"STATUS_TERMINAL\"]");
    assertThat(rejected.get("activatedAt").isNull()).isTrue();
    assertThat(rejected.get("decidedAt").asText()).matches(PRISMA_TIME);
    assertThat(rejected.get("writeAttempts").asInt()).isZero();
    JsonNode alreadyActive = records.get(1);
    assertThat(alreadyActive.get("outcome").asText()).isEqualTo("ALREADY_ACTIVE");
    assertThat(alreadyActive.get("requestedBy").asText()).isEqualTo("again");
    assertThat(alreadyActive.get("previousStatus").asText()).isEqualTo("ACTIVE");
    JsonNode activated = records.get(2);
    assertThat(activated.get("outcome").asText()).isEqualTo("ACTIVATED");
    assertThat(activated.get("requestedBy").asText()).isEqualTo("first");
    assertThat(activated.get("previousStatus").asText()).isEqualTo("PENDING");
    assertThat(activated.get("writeAttempts").asInt()).isEqualTo(1);
    assertThat(activated.get("activatedAt").asText())
        .isEqualTo(activated.get("decidedAt").asText());
    assertThat(records.findValuesAsText("runId")).doesNotHaveDuplicates();

    JsonNode onlyRejected =
        api.get(Api.ACTIVATIONS + "?experimentId=" + id + "&outcome=REJECTED", token)
            .body()
            .at("/data/records");
    assertThat(onlyRejected).hasSize(1);
    assertThat(onlyRejected.get(0).get("requestedBy").asText()).isEqualTo("late");
  }

  @Test
  void historyRouteRefusesAnUnknownOutcomeNamingTheField() {
    Api.Reply reply = api.get(Api.ACTIVATIONS + "?experimentId=x&outcome=rejected", token);

    assertError(reply, 400, "Invalid request format", "INVALID_REQUEST");
    assertThat(reply.body().get("details").toString()).contains("outcome").contains("REJECTED");
  }

  @Test
  void historyRouteRejectsBadParameters() {
    for (String query :
        List.of(
            "",
            "?experimentId=",
            "?experimentId=x&limit=0",
            "?experimentId=x&limit=abc",
            "?experimentId=x&cursor=zzz",
            "?experimentId=x&experimentId=y")) {
      assertError(
          api.get(Api.ACTIVATIONS + query, token),
          400,
          "Invalid request format",
          "INVALID_REQUEST");
    }
  }

  @Test
  void unknownRouteIs404() {
    assertError(api.get("/api/nous/other", token), 404, "Route not found", "NOT_FOUND");
  }

  @Test
  void healthAndMetricsAreServedBesideTheApi() {
    assertThat(api.get("/healthz", null).status()).isEqualTo(200);
    assertThat(api.get("/readyz", null).status()).isEqualTo(200);
    api.activate(TestStack.newId("metered"), token);
    Api.Reply metrics = api.send(api.request("/metrics", null).GET().build());
    assertThat(metrics.raw().body()).contains("starter_http_requests_seconds_count");
    assertThat(metrics.raw().body())
        .contains("route=\"/api/nous/ab-testing/experiments/activate\"");
  }

  static void assertError(Api.Reply reply, int status, String error, String code) {
    assertThat(reply.status()).as("status of %s", reply.raw().body()).isEqualTo(status);
    assertThat(reply.body()).as("JSON body").isNotNull();
    assertThat(reply.body().get("success").asBoolean()).isFalse();
    assertThat(reply.body().get("error").asText()).isEqualTo(error);
    assertThat(reply.body().get("code").asText()).isEqualTo(code);
    assertThat(reply.raw().body()).doesNotContain("\tat ").doesNotContain("Exception");
    assertThat(reply.header("Content-Type")).startsWith("application/json");
  }

  static Map<String, String> none() {
    return Map.of();
  }
}
