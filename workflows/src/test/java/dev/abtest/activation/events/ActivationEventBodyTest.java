package dev.abtest.activation.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationEventBodyTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant AT = Instant.parse("2026-11-25T12:00:00.123Z");

  private static Experiment row(ExperimentStatus status) throws Exception {
    return new Experiment(
        "exp_1",
        "Checkout",
        null,
        AT,
        Instant.parse("2027-01-01T00:00:00Z"),
        status,
        JSON.readTree("{\"variants\":[\"a\",\"b\"],\"distribution\":[0.5,0.5]}"),
        Instant.parse("2026-11-01T09:00:00Z"),
        AT);
  }

  private static ActivationEvent event(ActivationEventType type, ExperimentStatus status)
      throws Exception {
    return new ActivationEvent(
        "evt_1",
        type,
        Instant.parse("2026-11-25T12:00:01.5Z"),
        new ActivationEventData(
            "exp_1",
            ExperimentStatus.PENDING,
            status,
            "alice",
            AT,
            "activate-experiment:exp_1",
            "run-1",
            row(status)));
  }

  @Test
  void activatedBodyIsTheContractsShapeWithPrismaInstants() throws Exception {
    String body =
        ActivationEventBody.json(event(ActivationEventType.ACTIVATED, ExperimentStatus.ACTIVE));

    assertThat(body)
        .isEqualTo(
            "{\"type\":\"experiment.activated\",\"timestamp\":\"2026-11-25T12:00:01.500Z\","
                + "\"data\":{\"experimentId\":\"exp_1\",\"previousStatus\":\"PENDING\","
                + "\"status\":\"ACTIVE\",\"requestedBy\":\"alice\","
                + "\"activatedAt\":\"2026-11-25T12:00:00.123Z\","
                + "\"workflowId\":\"activate-experiment:exp_1\",\"runId\":\"run-1\","
                + "\"experiment\":{\"id\":\"exp_1\",\"name\":\"Checkout\",\"description\":null,"
                + "\"startDate\":\"2026-11-25T12:00:00.123Z\","
                + "\"endDate\":\"2027-01-01T00:00:00.000Z\",\"status\":\"ACTIVE\","
                + "\"configuration\":{\"variants\":[\"a\",\"b\"],\"distribution\":[0.5,0.5]},"
                + "\"createdAt\":\"2026-11-01T09:00:00.000Z\","
                + "\"updatedAt\":\"2026-11-25T12:00:00.123Z\"}}}");
  }

  @ParameterizedTest
  @EnumSource(
      value = ActivationEventType.class,
      names = {"SCHEDULED", "RESCHEDULED", "CANCELLED"})
  void schedulingEventsCarryActivateAtInsteadOfActivatedAt(ActivationEventType type)
      throws Exception {
    JsonNode body = JSON.readTree(ActivationEventBody.json(event(type, ExperimentStatus.PENDING)));

    assertThat(body.get("type").asText()).isEqualTo(type.wireName());
    assertThat(body.get("data").get("activateAt").asText()).isEqualTo("2026-11-25T12:00:00.123Z");
    assertThat(body.get("data").has("activatedAt")).isFalse();
    assertThat(body.get("data").get("experiment").get("status").asText()).isEqualTo("PENDING");
  }

  @Test
  void theSameEventGivesTheSameBytes() throws Exception {
    ActivationEvent event = event(ActivationEventType.ACTIVATED, ExperimentStatus.ACTIVE);
    assertThat(ActivationEventBody.json(event)).isEqualTo(ActivationEventBody.json(event));
  }

  @Test
  void eventIdsAreDerivedFromRunTypeAndSequence() {
    String id = ActivationEvents.eventId("wf", "run", ActivationEventType.ACTIVATED, 0);

    assertThat(id)
        .startsWith("evt_")
        .isEqualTo(ActivationEvents.eventId("wf", "run", ActivationEventType.ACTIVATED, 0));
    assertThat(ActivationEvents.eventId("wf", "run2", ActivationEventType.ACTIVATED, 0))
        .isNotEqualTo(id);
    assertThat(ActivationEvents.eventId("wf", "run", ActivationEventType.SCHEDULED, 0))
        .isNotEqualTo(id);
    assertThat(ActivationEvents.eventId("wf", "run", ActivationEventType.ACTIVATED, 1))
        .isNotEqualTo(id);
  }

  @Test
  void hostsNeverShowPathOrQuery() {
    assertThat(WebhookTargets.host("https://hooks.example.com/x?token=secret"))
        .isEqualTo("hooks.example.com");
    assertThat(WebhookTargets.host("http://127.0.0.1:8080/x")).isEqualTo("127.0.0.1:8080");
  }

  @Test
  void wireNamesAreTheContracts() {
    assertThat(ActivationEventType.values())
        .extracting(ActivationEventType::wireName)
        .containsExactly(
            "experiment.activated",
            "experiment.activation.scheduled",
            "experiment.activation.rescheduled",
            "experiment.activation.cancelled");
    assertThatThrownBy(() -> ActivationEventType.valueOf("nope"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
