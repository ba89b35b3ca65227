package dev.abtest.starter.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationService;
import dev.abtest.activation.ActivationService.RunStatus;
import dev.abtest.activation.ActivationService.RunningActivation;
import dev.abtest.activation.ExperimentId;
import io.temporal.client.WorkflowFailedException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The activation route and its status route. POST validates the body, activates (or joins) through
 * the {@link ActivationService}, waits up to the budget and maps the outcome to the contract's
 * answers; GET reads the latest run. Every call goes through the service, which puts each under a
 * deadline; this class holds no Temporal client of its own.
 */
public final class ActivationEndpoints {
  public static final String ACTIVATE_PATH = "/api/nous/ab-testing/experiments/activate";
  public static final String ACTIVATIONS_PATH = "/api/nous/ab-testing/experiments/activations";
  public static final String STATUS_PATH = ACTIVATIONS_PATH + "/{experimentId}";

  private static final Logger log = LoggerFactory.getLogger(ActivationEndpoints.class);

  private final ActivationService activations;
  private final Duration waitBudget;
  private final Duration callTimeout;
  private final AtomicInteger waiting = new AtomicInteger();
  private final ScheduleEndpoints schedules;

  /**
   * @param waitBudget how long a POST waits for the result before answering 202, counted from the
   *     request's arrival
   * @param callTimeout how long the status route may take, counted from the request's arrival
   */
  public ActivationEndpoints(
      ActivationService activations, Duration waitBudget, Duration callTimeout) {
    this.activations = activations;
    this.waitBudget = waitBudget;
    this.callTimeout = callTimeout;
    this.schedules = new ScheduleEndpoints(activations, waitBudget);
  }

  /** Requests waiting for their run's result right now (no thread is held by any of them). */
  public int waiting() {
    return waiting.get();
  }

  public List<Route> routes() {
    List<Route> routes = new ArrayList<>();
    routes.add(
        Route.post(ACTIVATE_PATH, this::activate).failingWith("Failed to activate experiment"));
    routes.add(
        Route.get(STATUS_PATH, this::status).failingWith("Failed to read the activation status"));
    routes.addAll(schedules.routes());
    return routes;
  }

  /**
   * POST .../activate: the original route's contract, with the workflow behind it. With a later
   * {@code activateAt} it schedules (202). Otherwise activating (a plain start, or
   * Update-With-Start when the run is waiting on a schedule: see {@link
   * ActivationService#activateNow}) is a few short calls on a worker thread; the wait for the
   * result holds no thread: the answer completes when the result arrives or the budget, counted
   * from the request's arrival, runs out (202).
   */
  Object activate(Request request) {
    JsonNode body = request.jsonBody();
    ExperimentId experimentId = experimentIdOf(body);
    Optional<Instant> later = ActivateAtParser.laterTime(body, Instant.now());
    String requestedBy = request.caller().subject();
    MDC.put("experimentId", experimentId.value());
    long deadlineNanos = request.arrivalNanos() + waitBudget.toNanos();
    if (later.isPresent()) {
      return schedules.schedule(experimentId, later.get(), requestedBy);
    }

    RunningActivation started;
    long startNanos = System.nanoTime();
    try {
      started = activations.activateNow(experimentId, requestedBy);
    } catch (RuntimeException e) {
      long millis = (System.nanoTime() - startNanos) / 1_000_000;
      throw temporalFailure("start the activation of " + experimentId + " (" + millis + " ms)", e);
    }
    MDC.put("workflowId", started.workflowId());
    MDC.put("runId", started.runId());
    waiting.incrementAndGet();
    CompletableFuture<ActivationResult> result =
        started.resultAsync(Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime())));
    return result
        .whenComplete((value, failure) -> waiting.decrementAndGet())
        .handle(
            (outcome, failure) -> {
              if (failure != null) {
                throw answerForWaitFailure(experimentId, started, Futures.unwrap(failure));
              }
              return OutcomeAnswers.answerFor(outcome);
            });
  }

  private static ApiError answerForWaitFailure(
      ExperimentId experimentId, RunningActivation started, Throwable failure) {
    if (failure instanceof ApiError error) {
      return error;
    }
    if (failure instanceof TimeoutException) {
      return new ApiError(
          ErrorCode.IN_PROGRESS,
          inProgressDetails(experimentId, started.workflowId(), started.runId()));
    }
    if (failure instanceof WorkflowFailedException) {
      log.error("Activation workflow {} failed", started.workflowId(), failure);
      return new ApiError(ErrorCode.INTERNAL);
    }
    RuntimeException error =
        failure instanceof RuntimeException runtime
            ? runtime
            : new IllegalStateException(failure.getMessage(), failure);
    return temporalFailure("wait for the activation of " + experimentId, error);
  }

  /**
   * GET .../activations/{id}: the latest run for the experiment, as Temporal reports it, read
   * within the call limit counted from the request's arrival.
   */
  Object status(Request request) {
    ExperimentId experimentId = Parameters.experimentId(request.pathParameter());
    long left = request.arrivalNanos() + callTimeout.toNanos() - System.nanoTime();
    Optional<RunStatus> found;
    try {
      found = activations.status(experimentId, Duration.ofNanos(Math.max(1_000_000, left)));
    } catch (TimeoutException e) {
      throw new ApiError(ErrorCode.UNAVAILABLE);
    } catch (RuntimeException e) {
      throw temporalFailure("read the activation of " + experimentId, e);
    }
    RunStatus run = found.orElseThrow(ActivationEndpoints::noActivation);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("workflowId", run.workflowId());
    data.put("runId", run.runId());
    data.put("status", run.status());
    data.put("startedAt", run.startedAt());
    data.put("closedAt", run.closedAt());
    data.put("result", run.result());
    data.put("schedule", ScheduleEndpoints.scheduleJson(run.schedule()));
    return data;
  }

  /** The contract's id rule applied to a strictly parsed body; unknown extra fields are ignored. */
  static ExperimentId experimentIdOf(JsonNode body) {
    if (!body.isObject()) {
      throw ApiError.invalid(
          "body", "the body must be a JSON object such as {\"experimentId\": \"exp_123\"}");
    }
    JsonNode id = body.get("experimentId");
    if (id == null) {
      throw ApiError.invalid("experimentId", "experimentId is required");
    }
    if (!id.isTextual()) {
      throw ApiError.invalid(
          "experimentId",
          "experimentId must be a string, got " + id.getNodeType().name().toLowerCase());
    }
    return Parameters.experimentId(id.textValue());
  }

  static Map<String, Object> inProgressDetails(
      ExperimentId experimentId, String workflowId, String runId) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("workflowId", workflowId);
    details.put("runId", runId);
    details.put("statusUrl", statusUrl(experimentId));
    return details;
  }

  static String statusUrl(ExperimentId experimentId) {
    return ACTIVATIONS_PATH
        + "/"
        + URLEncoder.encode(experimentId.value(), StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static ApiError noActivation() {
    return new ApiError(
        ErrorCode.NOT_FOUND, "No activation found for this experiment", null, Map.of());
  }

  /** 503 when Temporal is unreachable, 500 (logged) for anything else. */
  private static ApiError temporalFailure(String what, RuntimeException e) {
    if (TemporalErrors.isUnavailable(e)) {
      log.warn("Temporal unavailable: could not {}: {}", what, TemporalErrors.grpcCode(e));
      return new ApiError(ErrorCode.UNAVAILABLE);
    }
    log.error("Could not {}", what, e);
    return new ApiError(ErrorCode.INTERNAL);
  }
}
