package dev.abtest.starter.http;

import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationSchedule;
import dev.abtest.activation.ActivationService;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.ScheduleCursor;
import dev.abtest.activation.SchedulePage;
import dev.abtest.activation.ScheduledActivation;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scheduled activation over HTTP: the {@code activateAt} branch of the activation route, the cancel
 * route, the schedules list and the status route's {@code schedule}. Everything goes through the
 * {@link ActivationService}, which puts every call under a deadline.
 */
public final class ScheduleEndpoints {
  public static final String SCHEDULES_PATH = "/api/nous/ab-testing/experiments/schedules";
  public static final String CANCEL_PATH = ActivationEndpoints.STATUS_PATH + "/schedule";
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;

  private static final Logger log = LoggerFactory.getLogger(ScheduleEndpoints.class);

  private final ActivationService activations;
  private final Duration waitBudget;

  /** With the same wait budget as {@link ActivationEndpoints}. */
  public ScheduleEndpoints(ActivationService activations, Duration waitBudget) {
    this.activations = activations;
    this.waitBudget = waitBudget;
  }

  public List<Route> routes() {
    return List.of(
        Route.delete(CANCEL_PATH, this::cancel)
            .failingWith("Failed to cancel the scheduled activation"),
        Route.get(SCHEDULES_PATH, this::list)
            .failingWith("Failed to list the scheduled activations"));
  }

  /**
   * POST .../activate with a later {@code activateAt}: 202 with the pending schedule (new, joined
   * or moved), else what the run decided instead, answered as an immediate activation would be.
   */
  Object schedule(ExperimentId experimentId, Instant activateAt, String requestedBy) {
    ActivationService.ScheduleAnswer answer;
    try {
      answer = activations.schedule(experimentId, activateAt, requestedBy, waitBudget);
    } catch (RuntimeException e) {
      throw failure("schedule the activation of " + experimentId, e);
    }
    if (answer.schedule() != null) {
      return new Accepted(scheduled(experimentId, answer));
    }
    if (answer.result() == null) {
      throw new ApiError(
          ErrorCode.IN_PROGRESS,
          ActivationEndpoints.inProgressDetails(experimentId, answer.workflowId(), answer.runId()));
    }
    return OutcomeAnswers.answerFor(answer.result());
  }

  private static Map<String, Object> scheduled(
      ExperimentId experimentId, ActivationService.ScheduleAnswer answer) {
    Map<String, Object> data = scheduledJson(experimentId, answer);
    data.put("statusUrl", ActivationEndpoints.statusUrl(experimentId));
    return data;
  }

  /**
   * The JSON of a pending schedule, shared with the command line (the route adds its {@code
   * statusUrl}).
   */
  public static Map<String, Object> scheduledJson(
      ExperimentId experimentId, ActivationService.ScheduleAnswer answer) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("experimentId", experimentId.value());
    data.put("status", "SCHEDULED");
    data.put("activateAt", answer.schedule().activateAt());
    data.put("scheduledBy", answer.schedule().scheduledBy());
    data.put("workflowId", answer.workflowId());
    data.put("runId", answer.runId());
    return data;
  }

  /** DELETE .../activations/{id}/schedule. */
  Object cancel(Request request) {
    ExperimentId experimentId = Parameters.experimentId(request.pathParameter());
    String cancelledBy = request.caller().subject();
    Optional<ActivationResult> cancelled;
    try {
      cancelled = activations.cancel(experimentId, cancelledBy, waitBudget);
    } catch (TimeoutException e) {
      throw new ApiError(ErrorCode.UNAVAILABLE);
    } catch (RuntimeException e) {
      throw failure("cancel the schedule of " + experimentId, e);
    }
    ActivationSchedule schedule = cancelled.map(ActivationResult::schedule).orElse(null);
    if (schedule == null) {
      throw new ApiError(
          ErrorCode.NOT_FOUND, "No scheduled activation for this experiment", null, Map.of());
    }
    log.info("Scheduled activation of {} cancelled", experimentId);
    return cancelledJson(experimentId, schedule, cancelledBy);
  }

  /** The JSON of a cancelled schedule, shared with the command line. */
  public static Map<String, Object> cancelledJson(
      ExperimentId experimentId, ActivationSchedule cancelled, String cancelledBy) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("experimentId", experimentId.value());
    data.put("status", "CANCELLED");
    data.put("activateAt", cancelled.activateAt());
    data.put("cancelledBy", cancelledBy);
    return data;
  }

  /** GET .../schedules?limit=&cursor=: the pending schedules, soonest first. */
  Object list(Request request) {
    Map<String, String> query = request.query();
    int limit = Parameters.limit(query.get("limit"), DEFAULT_LIMIT, MAX_LIMIT);
    ScheduleCursor cursor = cursor(query.get("cursor"));
    SchedulePage page;
    try {
      page = activations.schedules(limit, cursor);
    } catch (RuntimeException e) {
      if (TemporalErrors.grpcCode(e) == Status.Code.UNIMPLEMENTED) {
        throw new ApiError(
            ErrorCode.UNAVAILABLE,
            "Listing schedules needs a Temporal server with visibility; the embedded test server"
                + " has none (use DEVSTACK_TEMPORAL=cli)",
            null,
            Map.of());
      }
      throw failure("list the pending schedules", e);
    }
    return page(page);
  }

  /** The JSON shape of a page, shared with the command line. */
  public static Map<String, Object> page(SchedulePage page) {
    List<Map<String, Object>> items = page.items().stream().map(ScheduleEndpoints::item).toList();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("items", items);
    data.put("nextCursor", page.next() == null ? null : page.next().encode());
    return data;
  }

  private static Map<String, Object> item(ScheduledActivation entry) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("experimentId", entry.experimentId());
    json.put("activateAt", entry.activateAt());
    json.put("scheduledBy", entry.scheduledBy());
    json.put("workflowId", entry.workflowId());
    return json;
  }

  /** The status route's {@code schedule}: the pending schedule, or null. */
  static Map<String, Object> scheduleJson(ActivationSchedule pending) {
    if (pending == null) {
      return null;
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("activateAt", pending.activateAt());
    json.put("scheduledBy", pending.scheduledBy());
    return json;
  }

  private static ScheduleCursor cursor(String raw) {
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    return ScheduleCursor.decode(raw)
        .orElseThrow(
            () -> ApiError.invalid("cursor", "cursor must be the nextCursor of a previous page"));
  }

  /** 503 when Temporal is unreachable, 500 (logged) for anything else. */
  private static ApiError failure(String what, RuntimeException e) {
    if (TemporalErrors.isUnavailable(e)) {
      log.warn("Temporal unavailable: could not {}: {}", what, TemporalErrors.grpcCode(e));
      return new ApiError(ErrorCode.UNAVAILABLE);
    }
    log.error("Could not {}", what, e);
    return new ApiError(ErrorCode.INTERNAL);
  }
}
