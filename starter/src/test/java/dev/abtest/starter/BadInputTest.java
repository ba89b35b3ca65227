package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A corpus of bad requests through real HTTP: each gets its 4xx, none a 5xx, none changes a row,
 * and none starts a workflow (the worker counts every run it executes).
 */
@ExtendWith(TestStack.Resolver.class)
class BadInputTest {
  static TestStack stack;
  static Api api;
  static String token;
  static String pendingId;

  /** One bad request: what is sent and the status the contract gives it. */
  record Case(String name, String method, String contentType, byte[] body, int expected) {
    static Case json(String name, String body, int expected) {
      return new Case(
          name, "POST", "application/json", body.getBytes(StandardCharsets.UTF_8), expected);
    }

    static Case invalid(String name, String body) {
      return json(name, body, 400);
    }
  }

  @BeforeAll
  static void start(TestStack shared) {
    stack = shared;
    api = shared.api;
    token = shared.token("fuzzer");
    pendingId = shared.insert("target", ExperimentStatus.PENDING);
  }

  static List<Case> corpus() {
    String id = "\"" + pendingId + "\"";
    List<Case> cases = new ArrayList<>();
    cases.add(Case.invalid("empty body", ""));
    cases.add(Case.invalid("whitespace body", "  \n\t "));
    cases.add(Case.invalid("open brace", "{"));
    cases.add(Case.invalid("truncated after key", "{\"experimentId\":"));
    cases.add(Case.invalid("truncated before brace", "{\"experimentId\": " + id));
    cases.add(Case.invalid("truncated string", "{\"experimentId\": \"" + pendingId));
    cases.add(Case.invalid("single quotes", "{\"experimentId\": '" + pendingId + "'}"));
    cases.add(Case.invalid("unquoted key", "{experimentId: " + id + "}"));
    cases.add(Case.invalid("trailing comma", "{\"experimentId\": " + id + ",}"));
    cases.add(Case.invalid("comment", "{\"experimentId\": " + id + " /* hi */}"));
    cases.add(Case.invalid("trailing garbage", "{\"experimentId\": " + id + "} x"));
    cases.add(
        Case.invalid(
            "two documents", "{\"experimentId\": " + id + "}{\"experimentId\": " + id + "}"));
    cases.add(
        Case.invalid(
            "duplicate key", "{\"experimentId\": " + id + ", \"experimentId\": " + id + "}"));
    cases.add(Case.invalid("null root", "null"));
    cases.add(Case.invalid("string root", id));
    cases.add(Case.invalid("number root", "42"));
    cases.add(Case.invalid("boolean root", "true"));
    cases.add(Case.invalid("empty array", "[]"));
    cases.add(Case.invalid("array of the object", "[{\"experimentId\": " + id + "}]"));
    cases.add(Case.invalid("empty object", "{}"));
    cases.add(Case.invalid("wrong key case", "{\"ExperimentId\": " + id + "}"));
    cases.add(Case.invalid("null id", "{\"experimentId\": null}"));
    cases.add(Case.invalid("integer id", "{\"experimentId\": 123456}"));
    cases.add(Case.invalid("huge number id", "{\"experimentId\": 1e999999}"));
    cases.add(Case.invalid("boolean id", "{\"experimentId\": false}"));
    cases.add(Case.invalid("array id", "{\"experimentId\": [" + id + "]}"));
    cases.add(Case.invalid("object id", "{\"experimentId\": {\"id\": " + id + "}}"));
    cases.add(Case.invalid("empty id", "{\"experimentId\": \"\"}"));
    cases.add(Case.invalid("blank id", "{\"experimentId\": \"   \"}"));
    cases.add(Case.invalid("whitespace escapes id", "{\"experimentId\": \"\\t\\n\\r \"}"));
    cases.add(Case.invalid("no-break spaces id", "{\"experimentId\": \"\\u00a0\\ufeff\\u2007\"}"));
    cases.add(Case.invalid("129 chars", "{\"experimentId\": \"" + "a".repeat(129) + "\"}"));
    cases.add(
        Case.invalid("129 accented chars", "{\"experimentId\": \"" + "é".repeat(129) + "\"}"));
    cases.add(Case.invalid("129 emoji", "{\"experimentId\": \"" + "😀".repeat(129) + "\"}"));
    cases.add(Case.invalid("NUL inside", "{\"experimentId\": \"" + pendingId + "\\u0000\"}"));
    cases.add(Case.invalid("newline inside", "{\"experimentId\": \"exp\\nX\"}"));
    cases.add(Case.invalid("escape char", "{\"experimentId\": \"exp\\u001b[31m\"}"));
    cases.add(Case.invalid("DEL char", "{\"experimentId\": \"exp\\u007f\"}"));
    cases.add(Case.invalid("line separator", "{\"experimentId\": \"exp\\u2028x\"}"));
    cases.add(Case.invalid("lone surrogate", "{\"experimentId\": \"exp\\ud800\"}"));
    cases.add(Case.invalid("raw control char in string", "{\"experimentId\": \"exp\u0001\"}"));
    cases.add(
        Case.invalid(
            "SQL with newline", "{\"experimentId\": \"x';\\nDROP TABLE \\\"ABTest\\\"; --\"}"));
    cases.add(Case.invalid("SQL as number", "{\"experimentId\": 1 OR 1=1}"));
    cases.add(Case.invalid("deep nesting", "[".repeat(5000) + "]".repeat(5000)));
    cases.add(
        Case.invalid(
            "deep nesting in id",
            "{\"experimentId\": " + "[".repeat(3000) + "]".repeat(3000) + "}"));
    cases.add(
        new Case(
            "invalid UTF-8",
            "POST",
            "application/json",
            concat(
                "{\"experimentId\": \"".getBytes(StandardCharsets.UTF_8),
                new byte[] {(byte) 0xff, (byte) 0xfe},
                "\"}".getBytes(StandardCharsets.UTF_8)),
            400));
    cases.add(
        Case.json(
            "17 KiB body",
            "{\"experimentId\": " + id + ", \"pad\": \"" + "p".repeat(17 * 1024) + "\"}",
            413));
    cases.add(
        Case.json(
            "60 KiB body",
            "{\"experimentId\": " + id + ", \"pad\": \"" + "p".repeat(60 * 1024) + "\"}",
            413));
    byte[] valid = ("{\"experimentId\": " + id + "}").getBytes(StandardCharsets.UTF_8);
    cases.add(new Case("text/plain", "POST", "text/plain", valid, 415));
    cases.add(new Case("no content type", "POST", null, valid, 415));
    cases.add(
        new Case(
            "form encoded",
            "POST",
            "application/x-www-form-urlencoded",
            ("experimentId=" + pendingId).getBytes(StandardCharsets.UTF_8),
            415));
    cases.add(new Case("multipart", "POST", "multipart/form-data; boundary=x", valid, 415));
    cases.add(new Case("latin-1 JSON", "POST", "application/json; charset=iso-8859-1", valid, 415));
    cases.add(new Case("json lookalike type", "POST", "application/jsonp", valid, 415));
    cases.add(new Case("GET", "GET", null, new byte[0], 405));
    cases.add(new Case("PUT", "PUT", "application/json", valid, 405));
    cases.add(new Case("DELETE", "DELETE", null, new byte[0], 405));
    cases.add(new Case("PATCH", "PATCH", "application/json", valid, 405));
    cases.add(new Case("OPTIONS", "OPTIONS", null, new byte[0], 405));
    cases.add(new Case("HEAD", "HEAD", null, new byte[0], 405));
    return cases;
  }

  @Test
  void everyBadRequestGetsItsClientErrorAndStartsNothing() throws Exception {
    List<String> rowsBefore = stack.allRows();
    int runsBefore = stack.runsStarted();
    List<Case> corpus = corpus();
    assertThat(corpus).hasSizeGreaterThanOrEqualTo(40);

    for (Case c : corpus) {
      HttpRequest.Builder request = api.request(Api.ACTIVATE, token);
      if (c.contentType() != null) {
        request.header("Content-Type", c.contentType());
      }
      request.method(c.method(), HttpRequest.BodyPublishers.ofByteArray(c.body()));
      Api.Reply reply = api.send(request.build());

      assertThat(reply.status()).as(c.name()).isEqualTo(c.expected());
      if (!c.method().equals("HEAD")) {
        assertThat(reply.body().get("success").asBoolean()).as(c.name()).isFalse();
        assertThat(reply.body().get("code").asText()).as(c.name()).isNotBlank();
      }
      if (c.expected() == 400) {
        assertThat(reply.body().at("/details/field").asText())
            .as(c.name())
            .isIn("body", "experimentId");
      }
    }

    assertNothingHappened(rowsBefore, runsBefore);
  }

  @Test
  void declaredHugeBodyIs413BeforeItIsSent() throws Exception {
    String head =
        "POST "
            + Api.ACTIVATE
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + token
            + "\r\nContent-Type: application/json\r\nContent-Length: 104857600\r\n\r\n";

    String response = raw(head.getBytes(StandardCharsets.US_ASCII));

    assertThat(response).startsWith("HTTP/1.1 413");
    assertThat(response).contains("\"code\":\"PAYLOAD_TOO_LARGE\"");
  }

  @Test
  void malformedContentLengthIsAClientError() throws Exception {
    String head =
        "POST "
            + Api.ACTIVATE
            + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + token
            + "\r\nContent-Type: application/json\r\nContent-Length: ten\r\n\r\n{}";

    String response = raw(head.getBytes(StandardCharsets.US_ASCII));

    assertThat(response).matches("(?s)HTTP/1.1 4\\d\\d .*");
  }

  @Test
  void hostileButWellFormedIdsAreJustNotFound() {
    List<String> rowsBefore = stack.allRows();
    for (String hostile :
        List.of(
            "' OR '1'='1",
            "x'; DROP TABLE \"ABTest\"; --",
            pendingId + "' OR id LIKE '%",
            "%",
            "_",
            "../../etc/passwd",
            "<script>alert(1)</script>",
            "${jndi:ldap://127.0.0.1/a}",
            "exp_é_😀_中文",
            "a".repeat(128))) {
      Api.Reply reply = api.activate(hostile, token);

      assertThat(reply.status()).as(hostile).isEqualTo(404);
      assertThat(reply.code()).isEqualTo("NOT_FOUND");
    }
    assertThat(stack.allRows()).isEqualTo(rowsBefore);
    assertThat(stack.status(pendingId)).isEqualTo("PENDING");
  }

  /** The counter behind "starts nothing" does count: a valid request moves it by exactly one. */
  @Test
  void aValidRequestIsCountedAsOneRun() throws Exception {
    int before = stack.runsStarted();

    assertThat(api.activate(TestStack.newId("counted"), token).status()).isEqualTo(404);

    assertThat(stack.runsStarted()).isEqualTo(before + 1);
  }

  static void assertNothingHappened(List<String> rowsBefore, int runsBefore)
      throws InterruptedException {
    // A run started by mistake would reach the worker within milliseconds; give it ample time.
    Thread.sleep(Duration.ofMillis(500).toMillis());
    assertThat(stack.runsStarted()).as("workflow runs started").isEqualTo(runsBefore);
    assertThat(stack.allRows()).as("experiment rows").isEqualTo(rowsBefore);
  }

  private static String raw(byte[] request) throws IOException {
    try (Socket socket = new Socket(api.base().getHost(), api.base().getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request);
      out.flush();
      socket.shutdownOutput();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream response = new ByteArrayOutputStream();
      byte[] buffer = new byte[4096];
      int n;
      while ((n = in.read(buffer)) > 0) {
        response.write(buffer, 0, n);
      }
      return response.toString(StandardCharsets.UTF_8);
    }
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
