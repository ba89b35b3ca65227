package dev.abtest.activation;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.client.WorkflowUpdateHandle;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.client.WorkflowUpdateTimeoutOrCancelledException;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * The typed way for a Java service to start (or join) an activation and read its result, with the
 * contract's workflow id, task queue and id policies, so that callers never repeat them; and to
 * schedule, cancel and list scheduled activations.
 */
public final class ActivationClient {
  private final WorkflowClient client;
  private final String taskQueue;

  public ActivationClient(WorkflowClient client, String taskQueue) {
    this.client = Objects.requireNonNull(client, "client");
    this.taskQueue = Objects.requireNonNull(taskQueue, "taskQueue");
  }

  public ActivationClient(WorkflowClient client) {
    this(client, ActivationContract.DEFAULT_TASK_QUEUE);
  }

  /** A started (or joined) activation: its workflow execution and a handle on the result. */
  public record Started(WorkflowExecution execution, WorkflowStub stub) {
    public String workflowId() {
      return execution.getWorkflowId();
    }

    public String runId() {
      return execution.getRunId();
    }

    public CompletableFuture<ActivationResult> resultAsync() {
      return stub.getResultAsync(ActivationResult.class);
    }

    /**
     * The result without a thread waiting for it; completes with {@link TimeoutException} if the
     * run is still going after {@code timeout}.
     */
    public CompletableFuture<ActivationResult> resultAsync(Duration timeout) {
      return stub.getResultAsync(timeout.toNanos(), TimeUnit.NANOSECONDS, ActivationResult.class);
    }

    /**
     * Waits up to {@code timeout} for the result; throws {@link TimeoutException} if still running.
     */
    public ActivationResult result(Duration timeout) throws TimeoutException {
      return stub.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, ActivationResult.class);
    }
  }

  /**
   * Starts the activation of {@code experimentId}, or joins the run already in progress for it. The
   * id must already be valid ({@link ExperimentIds#problem}); {@code requestedBy} may be null.
   */
  public Started start(String experimentId, String requestedBy) {
    String id = ExperimentIds.normalize(experimentId);
    WorkflowStub stub =
        client.newUntypedWorkflowStub(ActivationContract.WORKFLOW_TYPE, options(id, requestedBy));
    WorkflowExecution execution = stub.start(new ActivationRequest(id, requestedBy));
    return new Started(execution, stub);
  }

  /** Starts or joins, then waits up to {@code timeout} for the result. */
  public ActivationResult activate(String experimentId, String requestedBy, Duration timeout)
      throws TimeoutException {
    return start(experimentId, requestedBy).result(timeout);
  }

  /**
   * The options every activation is started with: the contract's id, queue, policies and summary.
   */
  public WorkflowOptions options(String experimentId, String requestedBy) {
    return WorkflowOptions.newBuilder()
        .setWorkflowId(ActivationContract.workflowId(experimentId))
        .setTaskQueue(taskQueue)
        .setWorkflowIdConflictPolicy(
            WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
        .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(ActivationContract.EXPERIMENT_ID, experimentId)
                .build())
        .setStaticSummary(
            "Activate "
                + experimentId
                + " requested by "
                + (requestedBy == null ? "an anonymous caller" : requestedBy))
        .setStaticDetails(
            "Validates experiment "
                + experimentId
                + " (status, variants, weights, end date), then sets it ACTIVE with one"
                + " conditional UPDATE and an audit row in one transaction.")
        .build();
  }

  /**
   * The most runs the schedules list reads from visibility for one page. Visibility cannot sort by
   * a custom attribute on every store (SQL visibility sorts by start time only), so a page reads
   * every pending run at or after the cursor's time, up to this many, and sorts them in memory.
   */
  public static final int MAX_SCHEDULES_SCANNED = 10_000;

  /** An immediate activation sent as the {@code activateNow} update (with the run's start). */
  public record Joined(
      WorkflowExecution execution,
      WorkflowUpdateHandle<ActivationResult> update,
      WorkflowStub run) {
    public String workflowId() {
      return execution.getWorkflowId();
    }

    public String runId() {
      return execution.getRunId();
    }

    /**
     * Waits up to {@code timeout} for the result; throws {@link TimeoutException} if still running.
     */
    public ActivationResult result(Duration timeout) throws TimeoutException {
      if (update == null) {
        return run.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS, ActivationResult.class);
      }
      try {
        return update.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (WorkflowUpdateTimeoutOrCancelledException e) {
        throw new TimeoutException("still running after " + timeout);
      }
    }

    /**
     * The result without a thread: completes with it, or exceptionally with a {@link
     * TimeoutException} when still running after {@code timeout}.
     */
    public CompletableFuture<ActivationResult> resultAsync(Duration timeout) {
      CompletableFuture<ActivationResult> pending =
          update == null
              ? run.getResultAsync(timeout.toNanos(), TimeUnit.NANOSECONDS, ActivationResult.class)
              : update.getResultAsync(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return pending.exceptionallyCompose(
          failure -> {
            Throwable cause =
                failure instanceof java.util.concurrent.CompletionException
                        && failure.getCause() != null
                    ? failure.getCause()
                    : failure;
            return CompletableFuture.failedFuture(
                cause instanceof WorkflowUpdateTimeoutOrCancelledException
                    ? new TimeoutException("still running after " + timeout)
                    : cause);
          });
    }
  }

  /**
   * Activates now through Update-With-Start: a new run when none is open, else the open run (a
   * pending schedule ends with this activation, a deciding run shares its result), atomically. When
   * the server sheds the update because the run already has many in flight (a storm of joins, at
   * least one of them an activateNow), the request joins the run and waits for its result instead.
   */
  public Joined activateNow(String experimentId, String requestedBy) {
    String id = ExperimentIds.normalize(experimentId);
    WorkflowStub stub =
        client.newUntypedWorkflowStub(ActivationContract.WORKFLOW_TYPE, options(id, requestedBy));
    try {
      WorkflowUpdateHandle<ActivationResult> update =
          stub.startUpdateWithStart(
              UpdateOptions.newBuilder(ActivationResult.class)
                  .setUpdateName(ActivationContract.UPDATE_ACTIVATE_NOW)
                  .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                  .build(),
              new Object[] {new ActivateNowRequest(requestedBy)},
              new Object[] {new ActivationRequest(id, requestedBy)});
      return new Joined(update.getExecution(), update, null);
    } catch (RuntimeException e) {
      if (grpcCode(e) != Status.Code.RESOURCE_EXHAUSTED) {
        throw e;
      }
      Started started = start(id, requestedBy);
      return new Joined(started.execution(), null, started.stub());
    }
  }

  /**
   * Whether {@code execution} is waiting on a schedule ({@code ActivationScheduledFor} is set): a
   * read of the server's record, no worker involved.
   */
  public boolean hasPendingSchedule(WorkflowExecution execution) {
    WorkflowStub run =
        client.newUntypedWorkflowStub(
            execution.getWorkflowId(), Optional.of(execution.getRunId()), Optional.empty());
    return run.describe()
            .getTypedSearchAttributes()
            .get(ActivationContract.ACTIVATION_SCHEDULED_FOR)
        != null;
  }

  /**
   * Sends {@code activateNow} to the open run {@code execution} (a pending schedule activates now)
   * and returns once a worker has accepted it.
   *
   * @throws WorkflowUpdateException when the run refused it (it is no longer waiting)
   */
  public Joined activateNow(WorkflowExecution execution, String requestedBy) {
    WorkflowStub run =
        client.newUntypedWorkflowStub(
            execution.getWorkflowId(), Optional.of(execution.getRunId()), Optional.empty());
    WorkflowUpdateHandle<ActivationResult> update =
        run.startUpdate(
            UpdateOptions.newBuilder(ActivationResult.class)
                .setUpdateName(ActivationContract.UPDATE_ACTIVATE_NOW)
                .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                .build(),
            new ActivateNowRequest(requestedBy));
    return new Joined(execution, update, null);
  }

  /**
   * What a schedule request came to: {@code schedule} set when a schedule is pending (new, joined
   * or moved); otherwise {@code result} is what the run decided instead (REJECTED, NOT_FOUND,
   * ALREADY_ACTIVE, or an activation that happened); both null when still undecided at the timeout.
   */
  public record ScheduleAnswer(
      WorkflowExecution execution, ActivationSchedule schedule, ActivationResult result) {
    public String workflowId() {
      return execution.getWorkflowId();
    }

    public String runId() {
      return execution.getRunId();
    }
  }

  /**
   * Schedules the activation of {@code experimentId} at {@code activateAt} through Update-With-
   * Start ({@code schedule}): a new run validates now and waits; an open run with a pending
   * schedule moves it (after validating now). Waits up to {@code timeout} for the answer.
   */
  public ScheduleAnswer schedule(
      String experimentId, Instant activateAt, String requestedBy, Duration timeout) {
    String id = ExperimentIds.normalize(experimentId);
    long deadline = System.nanoTime() + timeout.toNanos();
    ScheduleAnswer answer = null;
    // A cancel that wins a race ends the run this request joined: the second try starts afresh.
    for (int attempt = 1; attempt <= 2; attempt++) {
      answer = scheduleOnce(id, activateAt, requestedBy, deadline);
      if (answer.result() == null || answer.result().outcome() != Outcome.CANCELLED) {
        return answer;
      }
    }
    return answer;
  }

  private ScheduleAnswer scheduleOnce(
      String id, Instant activateAt, String requestedBy, long deadline) {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            ActivationContract.WORKFLOW_TYPE, scheduleOptions(id, activateAt, requestedBy));
    WorkflowUpdateHandle<ActivationSchedule> update;
    try {
      update =
          stub.startUpdateWithStart(
              UpdateOptions.newBuilder(ActivationSchedule.class)
                  .setUpdateName(ActivationContract.UPDATE_SCHEDULE)
                  .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                  .build(),
              new Object[] {new ScheduleRequest(activateAt, requestedBy)},
              new Object[] {new ActivationRequest(id, requestedBy, activateAt)});
    } catch (WorkflowUpdateException refused) {
      return refusedByTheValidator(refused, deadline);
    }
    try {
      ActivationSchedule schedule = update.getResult(millisLeft(deadline), TimeUnit.MILLISECONDS);
      return new ScheduleAnswer(update.getExecution(), schedule, null);
    } catch (WorkflowUpdateTimeoutOrCancelledException e) {
      return new ScheduleAnswer(update.getExecution(), null, null);
    } catch (WorkflowUpdateException failed) {
      if (failed.getCause() instanceof ApplicationFailure failure
          && ActivationFailures.NOT_SCHEDULED.equals(failure.getType())) {
        return new ScheduleAnswer(
            update.getExecution(), null, failure.getDetails().get(ActivationResult.class));
      }
      // With Update-With-Start the SDK hands back a handle even when the validator refused the
      // update; the refusal surfaces here, from the handle's result.
      return refusedByTheValidator(failed, deadline);
    }
  }

  /**
   * The {@code schedule} validator refused (the run is no longer waiting, or the time is no longer
   * ahead of the run's clock): nothing was scheduled, and the run's result answers the request.
   */
  private ScheduleAnswer refusedByTheValidator(WorkflowUpdateException refused, long deadline) {
    WorkflowExecution execution = refused.getExecution();
    return new ScheduleAnswer(execution, null, runResult(execution, deadline));
  }

  private ActivationResult runResult(WorkflowExecution execution, long deadline) {
    WorkflowStub run =
        client.newUntypedWorkflowStub(
            execution.getWorkflowId(), Optional.of(execution.getRunId()), Optional.empty());
    try {
      return run.getResult(millisLeft(deadline), TimeUnit.MILLISECONDS, ActivationResult.class);
    } catch (TimeoutException e) {
      return null;
    }
  }

  /**
   * Cancels the pending schedule of {@code experimentId}; empty when none is pending (no open run,
   * a run that is not waiting, or one that stopped waiting meanwhile).
   *
   * @return the run's result, outcome CANCELLED
   * @throws TimeoutException when the run did not finish within {@code timeout}
   */
  public Optional<ActivationResult> cancel(
      String experimentId, String requestedBy, Duration timeout) throws TimeoutException {
    String workflowId = ActivationContract.workflowId(ExperimentIds.normalize(experimentId));
    WorkflowUpdateHandle<ActivationResult> update;
    try {
      update =
          client
              .newUntypedWorkflowStub(workflowId)
              .startUpdate(
                  UpdateOptions.newBuilder(ActivationResult.class)
                      .setUpdateName(ActivationContract.UPDATE_CANCEL)
                      .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                      .build(),
                  new CancelRequest(requestedBy));
    } catch (WorkflowUpdateException refused) {
      return Optional.empty();
    } catch (RuntimeException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
    try {
      return Optional.of(update.getResult(timeout.toMillis(), TimeUnit.MILLISECONDS));
    } catch (WorkflowUpdateTimeoutOrCancelledException e) {
      throw new TimeoutException("the cancellation is still running after " + timeout);
    } catch (WorkflowUpdateException failed) {
      if (failed.getCause() instanceof ApplicationFailure failure
          && ActivationFailures.NO_SCHEDULE.equals(failure.getType())) {
        return Optional.empty();
      }
      throw failed;
    }
  }

  /** The pending schedule of {@code experimentId} (a query of its latest run), if any. */
  public Optional<ActivationSchedule> pendingSchedule(String experimentId) {
    String workflowId = ActivationContract.workflowId(ExperimentIds.normalize(experimentId));
    try {
      return Optional.ofNullable(
          client
              .newUntypedWorkflowStub(workflowId)
              .query(ActivationContract.QUERY_SCHEDULE, ActivationSchedule.class));
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (RuntimeException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Up to {@code limit} pending schedules after {@code after} (null: from the soonest), soonest
   * first, from visibility ({@code ActivationScheduledFor} on running activations). Needs a server
   * with visibility (a real server, the CLI's dev server); the embedded test server has none.
   */
  public SchedulePage schedules(int limit, ScheduleCursor after) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    Instant from = after == null ? Instant.EPOCH : after.activateAt();
    String query =
        "WorkflowType = '"
            + ActivationContract.WORKFLOW_TYPE
            + "' AND ExecutionStatus = 'Running' AND "
            + ActivationContract.ACTIVATION_SCHEDULED_FOR.getName()
            + " >= '"
            + from
            + "'";
    List<ScheduledActivation> sorted;
    try (Stream<WorkflowExecutionMetadata> runs = client.listExecutions(query)) {
      sorted =
          runs.limit(MAX_SCHEDULES_SCANNED)
              .map(ActivationClient::scheduledActivation)
              .flatMap(Optional::stream)
              .filter(entry -> after == null || after.isBefore(entry))
              .sorted(
                  Comparator.comparing(ScheduledActivation::activateAt)
                      .thenComparing(ScheduledActivation::experimentId))
              .limit(limit + 1L)
              .toList();
    }
    if (sorted.size() <= limit) {
      return new SchedulePage(sorted, null);
    }
    List<ScheduledActivation> page = sorted.subList(0, limit);
    ScheduledActivation last = page.get(limit - 1);
    return new SchedulePage(page, new ScheduleCursor(last.activateAt(), last.experimentId()));
  }

  private static Optional<ScheduledActivation> scheduledActivation(WorkflowExecutionMetadata run) {
    SearchAttributes attributes = run.getTypedSearchAttributes();
    OffsetDateTime at = attributes.get(ActivationContract.ACTIVATION_SCHEDULED_FOR);
    String experimentId = attributes.get(ActivationContract.EXPERIMENT_ID);
    if (at == null || experimentId == null) {
      return Optional.empty();
    }
    ActivationSchedule memo;
    try {
      memo =
          run.getMemo(
              ActivationContract.SCHEDULE_MEMO, ActivationSchedule.class, ActivationSchedule.class);
    } catch (RuntimeException e) {
      memo = null;
    }
    return Optional.of(
        new ScheduledActivation(
            experimentId,
            at.toInstant(),
            memo == null ? null : memo.scheduledBy(),
            run.getExecution().getWorkflowId()));
  }

  /** The options of a run started by a schedule request: its summary names the time and who. */
  public WorkflowOptions scheduleOptions(
      String experimentId, Instant activateAt, String requestedBy) {
    String who = requestedBy == null ? "an anonymous caller" : requestedBy;
    return WorkflowOptions.newBuilder(options(experimentId, requestedBy))
        .setStaticSummary(
            "Activate " + experimentId + " at " + activateAt + ", scheduled by " + who)
        .setStaticDetails(
            "Scheduled by "
                + who
                + " for "
                + activateAt
                + ". Validates experiment "
                + experimentId
                + " now, waits on a durable timer (moved by the `schedule` update, cut short by"
                + " `activateNow`, ended by `cancel`), then validates again and sets it ACTIVE with"
                + " one conditional UPDATE and an audit row in one transaction.")
        .build();
  }

  private static long millisLeft(long deadlineNanos) {
    return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  private static Status.Code grpcCode(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException status) {
        return status.getStatus().getCode();
      }
    }
    return null;
  }

  private static boolean isNotFound(Throwable error) {
    if (error instanceof WorkflowNotFoundException) {
      return true;
    }
    return grpcCode(error) == Status.Code.NOT_FOUND;
  }
}
