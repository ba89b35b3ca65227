package dev.abtest.activation.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The body every receiver gets, as the contract spells it: {@code {"type", "timestamp", "data":
 * {"experimentId", "previousStatus", "status", "requestedBy", "activatedAt" | "activateAt",
 * "workflowId", "runId", "experiment"}}}, instants as the HTTP edge renders them ({@code
 * 2026-11-25T12:00:00.000Z}), the experiment as the row the activation route answers with. The same
 * event gives the same bytes, so the body is rebuilt for each attempt.
 */
public final class ActivationEventBody {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final DateTimeFormatter INSTANT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ActivationEventBody() {}

  public static String json(ActivationEvent event) {
    ObjectNode body = NODES.objectNode();
    body.put("type", event.type().wireName());
    body.put("timestamp", instant(event.timestamp()));
    ActivationEventData data = event.data();
    ObjectNode fields = body.putObject("data");
    fields.put("experimentId", data.experimentId());
    fields.put("previousStatus", status(data.previousStatus()));
    fields.put("status", status(data.status()));
    fields.put("requestedBy", data.requestedBy());
    fields.put(event.type().isActivation() ? "activatedAt" : "activateAt", instant(data.at()));
    fields.put("workflowId", data.workflowId());
    fields.put("runId", data.runId());
    fields.set("experiment", experiment(data.experiment()));
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static ObjectNode experiment(Experiment row) {
    if (row == null) {
      return null;
    }
    ObjectNode node = NODES.objectNode();
    node.put("id", row.id());
    node.put("name", row.name());
    node.put("description", row.description());
    node.put("startDate", instant(row.startDate()));
    node.put("endDate", instant(row.endDate()));
    node.put("status", status(row.status()));
    node.set("configuration", row.configuration() == null ? NODES.nullNode() : row.configuration());
    node.put("createdAt", instant(row.createdAt()));
    node.put("updatedAt", instant(row.updatedAt()));
    return node;
  }

  private static String instant(Instant instant) {
    return instant == null ? null : INSTANT.format(instant);
  }

  private static String status(ExperimentStatus status) {
    return status == null ? null : status.name();
  }
}
