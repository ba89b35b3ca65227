package dev.abtest.starter.http;

import dev.abtest.activation.DecisionOutcome;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.AuditCursor;
import dev.abtest.store.AuditPage;
import dev.abtest.store.AuditRecord;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * GET .../activations?experimentId=&outcome=&limit=&cursor=: every decision on an experiment (who
 * asked, what was decided, when, from which status, which run), newest first, optionally of one
 * outcome, from the audit table (the record that works without Temporal visibility).
 */
public final class HistoryEndpoint {
  public static final int DEFAULT_LIMIT = 20;

  /** The largest page, over HTTP and on the command line alike. */
  public static final int MAX_LIMIT = 100;

  private static final Logger log = LoggerFactory.getLogger(HistoryEndpoint.class);

  private final ActivationStore store;

  public HistoryEndpoint(ActivationStore store) {
    this.store = store;
  }

  public Route route() {
    return Route.get(ActivationEndpoints.ACTIVATIONS_PATH, this::history)
        .failingWith("Failed to read the activation history");
  }

  Object history(Request request) {
    Map<String, String> query = request.query();
    String experimentId = Parameters.experimentId(query.get("experimentId")).value();
    DecisionOutcome outcome = outcome(query.get("outcome"));
    int limit = Parameters.limit(query.get("limit"), DEFAULT_LIMIT, MAX_LIMIT);
    AuditCursor cursor = cursor(query.get("cursor"));
    try {
      return page(experimentId, store.history(experimentId, outcome, limit, cursor));
    } catch (RuntimeException e) {
      if (isConnectionProblem(e)) {
        log.warn("Activation history unavailable: {}", e.getMessage());
        throw new ApiError(ErrorCode.UNAVAILABLE, "Activation history unavailable", null, Map.of());
      }
      log.error("Reading the activation history failed", e);
      throw new ApiError(ErrorCode.INTERNAL);
    }
  }

  /** The JSON shape of a page, shared with the command line. */
  public static Map<String, Object> page(String experimentId, AuditPage page) {
    List<Map<String, Object>> records =
        page.records().stream().map(HistoryEndpoint::record).toList();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("experimentId", experimentId);
    data.put("records", records);
    data.put("nextCursor", page.next().map(AuditCursor::token).orElse(null));
    return data;
  }

  private static Map<String, Object> record(AuditRecord record) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("outcome", record.outcome());
    json.put("decidedAt", record.decidedAt());
    json.put("requestedBy", record.requestedBy());
    json.put("previousStatus", record.previousStatus());
    json.put("violationCodes", record.violationCodes());
    json.put("activatedAt", record.activatedAt());
    json.put("activateAt", record.scheduledFor());
    json.put("writeAttempts", record.writeAttempts());
    json.put("workflowId", record.workflowId());
    json.put("runId", record.runId());
    return json;
  }

  /** The optional outcome filter; throws IllegalArgumentException naming the allowed values. */
  public static DecisionOutcome parseOutcome(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    for (DecisionOutcome outcome : DecisionOutcome.values()) {
      if (outcome.name().equals(raw)) {
        return outcome;
      }
    }
    throw new IllegalArgumentException(
        "outcome must be one of " + java.util.Arrays.toString(DecisionOutcome.values()));
  }

  private static DecisionOutcome outcome(String raw) {
    try {
      return parseOutcome(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("outcome", e.getMessage());
    }
  }

  private static AuditCursor cursor(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return AuditCursor.parse(raw);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid("cursor", "cursor must be the nextCursor of a previous page");
    }
  }

  /**
   * Connection failures (SQL state class 08, pool timeouts, server shutting down) mean "try later".
   */
  static boolean isConnectionProblem(Throwable error) {
    for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql && sql.getSQLState() != null) {
        String state = sql.getSQLState();
        if (state.startsWith("08") || state.startsWith("57P")) {
          return true;
        }
      }
    }
    return false;
  }
}
