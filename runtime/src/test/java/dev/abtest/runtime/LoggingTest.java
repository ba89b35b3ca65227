package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

class LoggingTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Logger log = LoggerFactory.getLogger(LoggingTest.class);

  @AfterEach
  void restore() {
    MDC.clear();
    Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.JSON), System.out);
  }

  @Test
  void writesOneJsonObjectPerLineWithTheMdcAsTopLevelFields() throws Exception {
    Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.JSON), out);
    MDC.put("experimentId", "exp_1");
    MDC.put("WorkflowId", "activate-experiment:exp_1"); // the Temporal SDK's own keys
    MDC.put("RunId", "run-1");
    MDC.put("Attempt", "2");
    log.info("Validating {}", "exp_1");

    JsonNode line = single(lines());
    assertThat(line.get("message").asText()).isEqualTo("Validating exp_1");
    assertThat(line.get("level").asText()).isEqualTo("INFO");
    assertThat(line.get("experimentId").asText()).isEqualTo("exp_1");
    assertThat(line.get("workflowId").asText()).isEqualTo("activate-experiment:exp_1");
    assertThat(line.get("runId").asText()).isEqualTo("run-1");
    assertThat(line.get("activityAttempt").asText()).isEqualTo("2");
    assertThat(line.has("WorkflowId")).isFalse();
  }

  @Test
  void honoursTheLevelAndQuietsLibraries() throws Exception {
    Logging.configure(new Logging.Settings(Logging.LogLevel.WARN, Logging.Format.JSON), out);
    log.info("hidden");
    log.warn("shown");
    assertThat(lines()).extracting(node -> node.get("message").asText()).containsExactly("shown");

    out.reset();
    Logging.configure(new Logging.Settings(Logging.LogLevel.DEBUG, Logging.Format.JSON), out);
    LoggerFactory.getLogger("io.grpc.netty.Something").info("grpc chatter");
    log.debug("ours");
    assertThat(lines()).extracting(node -> node.get("message").asText()).containsExactly("ours");
  }

  @Test
  void masksSecretsInMessagesAndStackTraces() throws Exception {
    Logging logging =
        Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.JSON), out);
    logging.redact("hunter2-password");
    log.error(
        "Connecting to postgresql://app:other-pw@db:5432/x",
        new IllegalStateException("auth failed for hunter2-password"));

    String written = out.toString(StandardCharsets.UTF_8);
    assertThat(written).doesNotContain("hunter2-password").doesNotContain("other-pw");
    JsonNode line = single(lines());
    assertThat(line.get("message").asText())
        .isEqualTo("Connecting to postgresql://app:*****@db:5432/x");
    assertThat(line.get("stack_trace").asText()).contains("auth failed for *****");
  }

  @Test
  void textFormatIsReadableAndMasked() {
    Logging logging =
        Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.TEXT), out);
    logging.redact("hunter2-password");
    MDC.put("experimentId", "exp_1");
    log.info("password is hunter2-password");
    String line = out.toString(StandardCharsets.UTF_8);
    assertThat(line)
        .contains("INFO")
        .contains("experimentId=exp_1")
        .contains("password is *****")
        .doesNotContain("hunter2")
        .doesNotStartWith("{");
  }

  @Test
  void javaUtilLoggingGoesThroughTheSameOutput() throws Exception {
    Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.JSON), out);
    java.util.logging.Logger.getLogger("some.jul.library").warning("from jul");
    assertThat(lines()).extracting(node -> node.get("message").asText()).contains("from jul");
  }

  private List<JsonNode> lines() throws Exception {
    String text = out.toString(StandardCharsets.UTF_8);
    List<JsonNode> nodes = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        nodes.add(JSON.readTree(line));
      }
    }
    return nodes;
  }

  private static JsonNode single(List<JsonNode> nodes) {
    assertThat(nodes).hasSize(1);
    return nodes.get(0);
  }

  @Test
  void callerTextIsEscapedInBothFormats() throws Exception {
    String hostile = "alice\nFORGED line\u202egnp\u200b\u2028x";
    Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.TEXT), out);
    MDC.put("experimentId", "exp\u2066x");
    log.info("Requested by {}", hostile);
    String text = out.toString(StandardCharsets.UTF_8);
    assertThat(text.split("\n")).hasSize(1);
    assertThat(text)
        .contains("alice\\u000AFORGED line\\u202Egnp\\u200B\\u2028x")
        .contains("exp\\u2066x")
        .doesNotContain("\u202e")
        .doesNotContain("\u2066");

    out.reset();
    Logging.configure(new Logging.Settings(Logging.LogLevel.INFO, Logging.Format.JSON), out);
    log.info("Requested by {}", hostile);
    JsonNode line = single(lines());
    assertThat(line.get("message").asText())
        .isEqualTo("Requested by alice\\u000AFORGED line\\u202Egnp\\u200B\\u2028x");
    assertThat(line.get("experimentId").asText()).isEqualTo("exp\\u2066x");
  }
}
