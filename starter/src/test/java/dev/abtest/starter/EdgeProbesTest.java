package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import dev.abtest.runtime.Logging;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The attacks of issue 12, each as a test against a real starter: hostile bytes, unknown keys,
 * forged subjects and malformed HTTP get the contract's JSON answer and change nothing.
 */
@ExtendWith(TestStack.Resolver.class)
class EdgeProbesTest {

  @Test
  void aTokenWithAnUnknownKidIsRefusedWith401EveryTime(TestStack stack) {
    try (StarterApp starter = stack.starter(Map.of())) {
      Api api = new Api(starter.baseUri());
      // A first RS256 request fetches the key set.
      assertThat(
              api.activate("kid_probe_none", stack.tokens.rs256(Tokens.claims("kid").build()))
                  .status())
          .isEqualTo(404);
      int fetchesBefore = stack.tokens.jwksFetches();
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String token =
            stack.tokens.unknownKidRs256(
                Tokens.claims("mallory").build(), "unknown-" + UUID.randomUUID());
        Api.Reply reply = api.activate("kid_probe_none", token);
        statuses.add(reply.status());
        assertThat(reply.code()).isEqualTo("UNAUTHENTICATED");
      }
      assertThat(statuses).containsOnly(401).hasSize(20);
      // At most one refetch a minute, whatever the refused tokens ask for.
      assertThat(stack.tokens.jwksFetches() - fetchesBefore).isLessThanOrEqualTo(1);
    }
  }

  @Test
  void illFormedUtf8OtherEncodingsABomAndGzipAreRefusedAndActivateNothing(TestStack stack) {
    Api api = stack.api;
    String token = stack.token("bytes-prober");
    // The row a lenient decoder would reach: 0xC0 0xAE is an overlong '.'.
    String dotted = TestStack.newId("probe") + ".ov";
    stack.insertWithId(
        dotted,
        ExperimentStatus.PENDING,
        TestStack.VALID_CONFIGURATION,
        java.time.Instant.now().plus(30, java.time.temporal.ChronoUnit.DAYS));
    String prefix = dotted.substring(0, dotted.length() - 3);
    List<String> rowsBefore = stack.allRows();
    int runsBefore = stack.runsStarted();
    String json = "{\"experimentId\":\"" + dotted + "\"}";

    Map<String, byte[]> bodies = new LinkedHashMap<>();
    bodies.put(
        "overlong UTF-8",
        concat(
            ("{\"experimentId\":\"" + prefix).getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xc0, (byte) 0xae},
            "ov\"}".getBytes(StandardCharsets.UTF_8)));
    bodies.put(
        "encoded lone surrogate",
        concat(
            ("{\"experimentId\":\"" + prefix).getBytes(StandardCharsets.UTF_8),
            new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
            "\"}".getBytes(StandardCharsets.UTF_8)));
    bodies.put("UTF-16LE", json.getBytes(StandardCharsets.UTF_16LE));
    bodies.put("UTF-16BE", json.getBytes(StandardCharsets.UTF_16BE));
    bodies.put("UTF-16 with BOM", json.getBytes(StandardCharsets.UTF_16));
    bodies.put("UTF-32", json.getBytes(Charset.forName("UTF-32")));
    bodies.put(
        "UTF-8 BOM",
        concat(
            new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf},
            json.getBytes(StandardCharsets.UTF_8)));
    for (Map.Entry<String, byte[]> body : bodies.entrySet()) {
      Api.Reply reply =
          api.send(
              api.request(Api.ACTIVATE, token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofByteArray(body.getValue()))
                  .build());
      assertThat(reply.status()).as(body.getKey()).isEqualTo(400);
      assertThat(reply.code()).as(body.getKey()).isEqualTo("INVALID_REQUEST");
    }
    for (String encoding : List.of("gzip", "deflate", "br", "identity, gzip")) {
      Api.Reply reply =
          api.send(
              api.request(Api.ACTIVATE, token)
                  .header("Content-Type", "application/json")
                  .header("Content-Encoding", encoding)
                  .POST(HttpRequest.BodyPublishers.ofString(json))
                  .build());
      assertThat(reply.status()).as(encoding).isEqualTo(415);
      assertThat(reply.code()).as(encoding).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    }
    assertThat(stack.allRows()).isEqualTo(rowsBefore);
    assertThat(stack.runsStarted()).isEqualTo(runsBefore);
    assertThat(stack.status(dotted)).isEqualTo("PENDING");
  }

  @Test
  void idsWithFormatCharactersOrNotInNfcAreInvalid(TestStack stack) {
    int runsBefore = stack.runsStarted();
    String token = stack.token("id-prober");
    for (String id :
        List.of("exp\u200bx", "exp\u202ex", "exp\u2066x", "exp\u00ad", "e\u0301xp", "\u212b")) {
      Api.Reply post = stack.api.activate(id, token);
      assertThat(post.status()).as(id).isEqualTo(400);
      assertThat(post.body().at("/details/field").asText()).isEqualTo("experimentId");
      Api.Reply status =
          stack.api.get(
              Api.ACTIVATIONS + "/" + java.net.URLEncoder.encode(id, StandardCharsets.UTF_8),
              token);
      assertThat(status.status()).as(id).isEqualTo(400);
    }
    // The NFC form of the same text is a valid id (unknown here: 404).
    assertThat(stack.api.activate("\u00e9xp_" + UUID.randomUUID(), token).status()).isEqualTo(404);
    assertThat(stack.runsStarted()).isEqualTo(runsBefore + 1);
  }

  @Test
  void aSubjectWithAControlOrFormatCharacterIsRefusedAndNeverLogged(TestStack stack) {
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    String id = stack.insert("subject", ExperimentStatus.PENDING);
    try {
      for (ByteArrayOutputStream out : List.of(text, json)) {
        Logging.configure(
            new Logging.Settings(
                Logging.LogLevel.DEBUG, out == text ? Logging.Format.TEXT : Logging.Format.JSON),
            out);
        for (String subject :
            List.of(
                "alice\n2026-12-02T00:00:00.000Z INFO  [main] forged - admin activated all",
                "alice\u202egnp.exe",
                "bob\u0000",
                "x".repeat(257),
                "")) {
          Api.Reply reply = stack.api.activate(id, stack.token(subject));
          assertThat(reply.status()).as(subject).isEqualTo(401);
        }
        // Caller text that does reach a log line (a refused token's reason, a path) is escaped.
        stack.api.get(
            "/api/nous/ab-testing/experiments/activations/x%0Aforged%E2%80%AE",
            stack.token("carol"));
      }
    } finally {
      Logging.configure(
          new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.TEXT), System.out);
    }
    for (ByteArrayOutputStream out : List.of(text, json)) {
      String log = out.toString(StandardCharsets.UTF_8);
      assertThat(log).isNotEmpty();
      for (String line : log.split("\n", -1)) {
        assertThat(line).doesNotContain("forged - admin").doesNotStartWith("2026-12-02T00:00");
        assertThat(
                line.codePoints()
                    .filter(cp -> cp != '\t' && cp != '\r')
                    .anyMatch(dev.abtest.runtime.LogEscaping::unsafe))
            .as(line)
            .isFalse();
      }
    }
    assertThat(stack.status(id)).isEqualTo("PENDING");
    assertThat(stack.auditCount(id)).isZero();
  }

  @Test
  void malformedHttpIsA400InTheJsonShape(TestStack stack) {
    int port = stack.defaultStarter().port();
    String post = "POST " + Api.ACTIVATE + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    Map<String, String> requests = new LinkedHashMap<>();
    requests.put(
        "conflicting lengths",
        post
            + "Content-Type: application/json\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}");
    requests.put(
        "20-digit length",
        post + "Content-Type: application/json\r\nContent-Length: 12345678901234567890\r\n\r\n{}");
    requests.put(
        "non-numeric length",
        post + "Content-Type: application/json\r\nContent-Length: 1e3\r\n\r\n{}");
    requests.put("undecodable target", "GET /api/%ZZ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    requests.put(
        "overlong escape in the target",
        "GET " + Api.ACTIVATIONS + "/%C0%AE HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    for (Map.Entry<String, String> request : requests.entrySet()) {
      RawHttp.Answer answer = RawHttp.exchange(port, request.getValue());
      assertThat(answer.status()).as(request.getKey() + ": " + answer.text()).isEqualTo(400);
      assertThat(answer.text())
          .as(request.getKey())
          .containsIgnoringCase("content-type: application/json");
      assertThat(answer.body()).as(request.getKey()).startsWith("{\"success\":false");
      assertThat(answer.text()).doesNotContain("<html").doesNotContain("<h1>");
    }
  }

  @Test
  void aMegabyteHeaderIs431Json(TestStack stack) {
    String header = "X-Padding: " + "p".repeat(1024 * 1024) + "\r\n";
    RawHttp.Answer answer =
        RawHttp.exchange(
            stack.defaultStarter().port(),
            "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + header + "\r\n");
    assertThat(answer.status()).as(answer.text()).isEqualTo(431);
    assertThat(answer.body()).contains("\"code\":\"HEADERS_TOO_LARGE\"");
  }

  @Test
  void pathsAreExactAndHeadIsAnsweredOnGetRoutes(TestStack stack) {
    Api api = stack.api;
    for (String path :
        List.of("/healthzz", "/metricsX", "/readyz/", "/openapi.jsonx", "/", "/api")) {
      Api.Reply reply = api.get(path, null);
      assertThat(reply.status()).as(path).isEqualTo(404);
      assertThat(reply.code()).as(path).isEqualTo("NOT_FOUND");
    }
    for (String path : List.of("/healthz", "/metrics", "/openapi.json")) {
      Api.Reply head =
          api.send(
              api.request(path, null).method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
      assertThat(head.status()).as(path).isEqualTo(200);
      assertThat(head.raw().body()).isEmpty();
    }
    Api.Reply headStatus =
        api.send(
            api.request(Api.ACTIVATIONS + "/no_such_experiment", stack.token("header"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertThat(headStatus.status()).isEqualTo(404);
    assertThat(headStatus.raw().body()).isEmpty();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
