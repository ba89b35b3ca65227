package dev.abtest.starter.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.Outcome;
import io.grpc.Context;
import io.grpc.Status;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The activation route and its status route. POST validates the body, starts or joins the workflow,
 * waits up to the budget and maps the outcome to the contract's answers; GET reads a run from
 * Temporal.
 */
public final class ActivationEndpoints {
  public static final String ACTIVATE_PATH = "/api/nous/ab-testing/experiments/activate";
  public static final String ACTIVATIONS_PATH = "/api/nous/ab-testing/experiments/activations";
  public static final String STATUS_PATH = ACTIVATIONS_PATH + "/{experimentId}";

  private static final Logger log = LoggerFactory.getLogger(ActivationEndpoints.class);
  private static final String STATUS_PREFIX = "WORKFLOW_EXECUTION_STATUS_";

  private final ActivationClient activations;
  private final WorkflowClient workflows;
  private final Duration waitBudget;
  private final Duration callTimeout;
  private final Duration acceptTimeout;
  private final ScheduledExecutorService deadlines;
  private final AtomicInteger waiting = new AtomicInteger();
  private final ScheduleEndpoints schedules;

  /**
   * @param waitBudget how long a POST waits for the result before answering 202
   * @param callTimeout the hard limit of one call to Temporal (start, describe), retries included:
   *     past it, the answer is 503
   * @param deadlines the timer that cancels calls at their deadline
   */
  public ActivationEndpoints(
      ActivationClient activations,
      WorkflowClient workflows,
      Duration waitBudget,
      Duration callTimeout,
      Duration acceptTimeout,
      ScheduledExecutorService deadlines) {
    this.acceptTimeout = acceptTimeout;
    this.activations = activations;
    this.workflows = workflows;
    this.waitBudget = waitBudget;
    this.callTimeout = callTimeout;
    this.deadlines = deadlines;
    this.schedules = new ScheduleEndpoints(activations, waitBudget, callTimeout, deadlines);
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
   * {@code activateAt} it schedules (202). Otherwise starting (or joining, through
   * Update-With-Start) is one short call on a worker thread; the wait for the result holds no
   * thread: the answer completes when the result arrives or the budget, counted from the request's
   * arrival, runs out (202).
   */
  Object activate(Request request) {
    JsonNode body = request.jsonBody();
    String experimentId = experimentIdOf(body);
    Optional<Instant> later = ActivateAtParser.laterTime(body, Instant.now());
    String requestedBy = request.caller().subject();
    MDC.put("experimentId", experimentId);
    long deadlineNanos = request.arrivalNanos() + waitBudget.toNanos();
    if (later.isPresent()) {
      return schedules.schedule(experimentId, later.get(), requestedBy);
    }

    ActivationClient.Joined started;
    long startNanos = System.nanoTime();
    try {
      started = startOrJoin(experimentId, requestedBy);
    } catch (RuntimeException e) {
      long millis = (System.nanoTime() - startNanos) / 1_000_000;
      throw temporalFailure("start the activation of " + experimentId + " (" + millis + " ms)", e);
    }
    MDC.put("workflowId", started.workflowId());
    MDC.put("runId", started.runId());
    CompletableFuture<ActivationResult> result = new CompletableFuture<>();
    waiting.incrementAndGet();
    result.whenComplete((value, failure) -> waiting.decrementAndGet());
    awaitResult(started, deadlineNanos, result);
    ActivationClient.Joined joined = started;
    return result
        .thenCompose(
            outcome -> {
              if (outcome.outcome() != Outcome.CANCELLED) {
                return CompletableFuture.completedFuture(outcome);
              }
              // Joined a run whose schedule was cancelled just before: the next run activates.
              return CompletableFuture.supplyAsync(() -> startOrJoin(experimentId, requestedBy))
                  .thenCompose(
                      again -> {
                        CompletableFuture<ActivationResult> next = new CompletableFuture<>();
                        awaitResult(again, deadlineNanos, next);
                        return next;
                      });
            })
        .handle(
            (outcome, failure) -> {
              if (failure != null) {
                throw answerForWaitFailure(experimentId, joined, Futures.unwrap(failure));
              }
              return ScheduleEndpoints.answerFor(outcome);
            });
  }

  /**
   * Joins (or starts) the experiment's run with an ordinary start ({@code USE_EXISTING}: one fast
   * call, no worker involved); when that run is waiting on a schedule, sends it {@code activateNow}
   * so that it activates now. Update-With-Start would do both in one call, but on the dev server a
   * crowd of them on one run is not accepted within a second even with a live worker (200 at once
   * made 503s; 5,000 took minutes): the storm path must stay a plain start. When no worker accepts
   * the update within {@code acceptTimeout} (workers down), or the run refuses it (no longer
   * waiting), or the server sheds it (many updates in flight), the request waits for the run's
   * result instead.
   */
  private ActivationClient.Joined startOrJoin(String experimentId, String requestedBy) {
    ActivationClient.Started run = withDeadline(() -> activations.start(experimentId, requestedBy));
    ActivationClient.Joined waitForTheRun =
        new ActivationClient.Joined(run.execution(), null, run.stub());
    if (!withDeadline(() -> activations.hasPendingSchedule(run.execution()))) {
      return waitForTheRun;
    }
    try {
      return withDeadline(
          acceptTimeout, () -> activations.activateNow(run.execution(), requestedBy));
    } catch (WorkflowUpdateException | WorkflowNotFoundException refusedOrClosed) {
      // No longer waiting, or closed meanwhile (another request activated it): its result stands.
      return waitForTheRun;
    } catch (RuntimeException e) {
      if (notAcceptedInTime(e)
          || TemporalErrors.isNotFound(e)
          || TemporalErrors.grpcCode(e) == Status.Code.RESOURCE_EXHAUSTED) {
        log.info(
            "activateNow on the pending schedule of {} not accepted ({}): waiting for its run",
            experimentId,
            TemporalErrors.grpcCode(e));
        return waitForTheRun;
      }
      throw e;
    }
  }

  private static boolean notAcceptedInTime(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof WorkflowUpdateTimeoutOrCancelledException) {
        return true;
      }
    }
    Status.Code code = TemporalErrors.grpcCode(e);
    return code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED;
  }

  private static ApiError answerForWaitFailure(
      String experimentId, ActivationClient.Joined started, Throwable failure) {
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
   * Waits for the run's result until {@code deadlineNanos} without a thread: the SDK's long poll
   * completes the future. A real server sheds long polls with RESOURCE_EXHAUSTED ("Workflow is
   * busy") when many requests join one run at once: that is not a failure of the activation, so the
   * wait goes on after a short, jittered pause on the timer, within the budget.
   */
  private void awaitResult(
      ActivationClient.Joined started,
      long deadlineNanos,
      CompletableFuture<ActivationResult> result) {
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) {
      result.completeExceptionally(new TimeoutException("wait budget spent"));
      return;
    }
    started
        .resultAsync(Duration.ofNanos(left))
        .whenComplete(
            (value, failure) -> {
              if (failure == null) {
                result.complete(value);
                return;
              }
              Throwable cause = Futures.unwrap(failure);
              if (TemporalErrors.grpcCode(cause) != Status.Code.RESOURCE_EXHAUSTED) {
                result.completeExceptionally(cause);
                return;
              }
              long pauseMillis = 50 + ThreadLocalRandom.current().nextLong(150);
              if (System.nanoTime() + pauseMillis * 1_000_000 >= deadlineNanos) {
                result.completeExceptionally(
                    new TimeoutException("wait budget spent while the workflow was busy"));
                return;
              }
              deadlines.schedule(
                  () -> awaitResult(started, deadlineNanos, result),
                  pauseMillis,
                  TimeUnit.MILLISECONDS);
            });
  }

  /** GET .../activations/{id}: the latest run for the experiment, as Temporal reports it. */
  Object status(Request request) {
    String experimentId = Parameters.experimentId(request.pathParameter());
    String workflowId = ActivationContract.workflowId(experimentId);
    WorkflowExecutionDescription description;
    try {
      description = withDeadline(() -> workflows.newUntypedWorkflowStub(workflowId).describe());
    } catch (WorkflowNotFoundException e) {
      throw noActivation();
    } catch (RuntimeException e) {
      if (TemporalErrors.isNotFound(e)) {
        throw noActivation();
      }
      throw temporalFailure("describe " + workflowId, e);
    }
    String runId = description.getExecution().getRunId();
    WorkflowExecutionStatus status = description.getStatus();
    ActivationResult result = null;
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      WorkflowStub run =
          workflows.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty());
      try {
        result = run.getResult(5, TimeUnit.SECONDS, ActivationResult.class);
      } catch (TimeoutException e) {
        throw new ApiError(ErrorCode.UNAVAILABLE);
      } catch (RuntimeException e) {
        throw temporalFailure("read the result of " + workflowId, e);
      }
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("workflowId", workflowId);
    data.put("runId", runId);
    data.put("status", status.name().replace(STATUS_PREFIX, ""));
    data.put("startedAt", description.getStartTime());
    data.put("closedAt", description.getCloseTime());
    data.put("result", result);
    data.put(
        "schedule",
        status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
            ? schedules.pendingSchedule(experimentId)
            : null);
    return data;
  }

  /** The contract's id rule applied to a strictly parsed body; unknown extra fields are ignored. */
  static String experimentIdOf(JsonNode body) {
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
      String experimentId, String workflowId, String runId) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("workflowId", workflowId);
    details.put("runId", runId);
    details.put("statusUrl", statusUrl(experimentId));
    return details;
  }

  static String statusUrl(String experimentId) {
    return ACTIVATIONS_PATH
        + "/"
        + URLEncoder.encode(experimentId, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /**
   * Runs one Temporal call under a gRPC deadline: the SDK's retries and its first-call server
   * capability check all stop there, so an unreachable Temporal costs at most {@code callTimeout}.
   */
  private <T> T withDeadline(Supplier<T> call) {
    return withDeadline(callTimeout, call);
  }

  private <T> T withDeadline(Duration timeout, Supplier<T> call) {
    try (Context.CancellableContext context =
        Context.current().withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS, deadlines)) {
      return context.call(call::get);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
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
