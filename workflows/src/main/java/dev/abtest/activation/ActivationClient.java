package dev.abtest.activation;

import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
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
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The typed way for a Java service to start (or join) an activation and read its result, with the
 * contract's workflow id, task queue and id policies, so that callers never repeat them; and to
 * schedule, cancel and list scheduled activations. Every call it makes to Temporal runs under a
 * deadline ({@code callTimeout}; {@code acceptTimeout} for an update a worker must accept).
 */
public final class ActivationClient implements ActivationService {
  private static final Logger log = LoggerFactory.getLogger(ActivationClient.class);

  /** The limit of one call when none is given. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(10);

  /** How long an immediate activation waits for a worker to accept its update, by default. */
  public static final Duration DEFAULT_ACCEPT_TIMEOUT = Duration.ofSeconds(1);

  private final WorkflowClient client;
  private final String taskQueue;
  private final Duration callTimeout;
  private final Duration acceptTimeout;

  /**
   * @param callTimeout the hard limit of one call to Temporal (start, describe, query, list),
   *     retries included
   * @param acceptTimeout how long an immediate activation waits for a worker to accept its {@code
   *     activateNow} update before it waits for the run's result instead
   */
  public ActivationClient(
      WorkflowClient client, String taskQueue, Duration callTimeout, Duration acceptTimeout) {
    this.client = Objects.requireNonNull(client, "client");
    this.taskQueue = Objects.requireNonNull(taskQueue, "taskQueue");
    this.callTimeout = Objects.requireNonNull(callTimeout, "callTimeout");
    this.acceptTimeout = Objects.requireNonNull(acceptTimeout, "acceptTimeout");
  }

  public ActivationClient(WorkflowClient client, String taskQueue) {
    this(client, taskQueue, DEFAULT_CALL_TIMEOUT, DEFAULT_ACCEPT_TIMEOUT);
  }

  public ActivationClient(WorkflowClient client) {
    this(client, ActivationContract.DEFAULT_TASK_QUEUE);
  }

  /** A started (or joined) run and a handle on its result. */
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
   * Starts the activation of {@code id} with a plain start, or joins the run already open for it
   * ({@code USE_EXISTING}): one call, no worker involved. {@code requestedBy} may be null.
   */
  public Started start(ExperimentId id, String requestedBy) {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            ActivationContract.WORKFLOW_TYPE, options(id.value(), requestedBy));
    WorkflowExecution execution =
        CallDeadline.within(
            callTimeout, () -> stub.start(new ActivationRequest(id.value(), requestedBy)));
    return new Started(execution, stub);
  }

  /** {@link #start(ExperimentId, String)} for an id given as text. */
  public Started start(String experimentId, String requestedBy) {
    return start(ExperimentId.parse(experimentId), requestedBy);
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

  /**
   * An immediate activation under way: the run that decides it, and its result, read from the
   * {@code activateNow} update when one was accepted, else from the run. Holds no thread while
   * waiting; no Temporal handle leaves it.
   */
  public final class Joined implements RunningActivation {
    private final ExperimentId id;
    private final String requestedBy;
    private final WorkflowExecution execution;
    private final WorkflowUpdateHandle<ActivationResult> update;

    private Joined(
        ExperimentId id,
        String requestedBy,
        WorkflowExecution execution,
        WorkflowUpdateHandle<ActivationResult> update) {
      this.id = id;
      this.requestedBy = requestedBy;
      this.execution = execution;
      this.update = update;
    }

    @Override
    public String workflowId() {
      return execution.getWorkflowId();
    }

    @Override
    public String runId() {
      return execution.getRunId();
    }

    /** Whether a worker accepted this request's {@code activateNow} (a pending schedule ended). */
    public boolean joinedASchedule() {
      return update != null;
    }

    /**
     * The result, or a {@link TimeoutException} after {@code timeout}. A result that only a
     * schedule run gives means this request joined such a run as it ended without activating: its
     * schedule cancelled just before, or refused at its first validation because its time was not
     * before the end date (which an immediate activation does not care about). The request then
     * starts afresh once, within the same time.
     */
    @Override
    public CompletableFuture<ActivationResult> resultAsync(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      return resultBy(deadline)
          .thenCompose(
              result -> {
                if (!endedAsAScheduleOnly(result)) {
                  return CompletableFuture.completedFuture(result);
                }
                return CompletableFuture.supplyAsync(() -> activateNow(id, requestedBy))
                    .thenCompose(again -> again.resultBy(deadline));
              });
    }

    private static boolean endedAsAScheduleOnly(ActivationResult result) {
      return result.outcome() == Outcome.CANCELLED
          || (result.outcome() == Outcome.REJECTED
              && !result.violations().isEmpty()
              && result.violations().stream()
                  .allMatch(v -> v.code() == ViolationCode.ACTIVATE_AT_NOT_BEFORE_END_DATE));
    }

    private CompletableFuture<ActivationResult> resultBy(long deadlineNanos) {
      CompletableFuture<ActivationResult> result = new CompletableFuture<>();
      await(update != null, deadlineNanos, result);
      return result;
    }

    /**
     * One long poll, without a thread: of the update's result, or of the run's (a refused update,
     * or none). A real server sheds long polls with RESOURCE_EXHAUSTED ("Workflow is busy") when
     * many requests wait on one run: not a failure of the activation, so the wait goes on after a
     * short jittered pause, within the time.
     */
    private void await(
        boolean fromUpdate, long deadlineNanos, CompletableFuture<ActivationResult> result) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        result.completeExceptionally(new TimeoutException("still undecided"));
        return;
      }
      CompletableFuture<ActivationResult> poll =
          fromUpdate
              ? update.getResultAsync(left, TimeUnit.NANOSECONDS)
              : runStub(execution)
                  .getResultAsync(left, TimeUnit.NANOSECONDS, ActivationResult.class);
      poll.whenComplete(
          (value, failure) -> {
            if (failure == null) {
              result.complete(value);
              return;
            }
            Throwable cause = unwrap(failure);
            if (cause instanceof WorkflowUpdateTimeoutOrCancelledException) {
              result.completeExceptionally(new TimeoutException("still undecided"));
            } else if (fromUpdate && cause instanceof WorkflowUpdateException) {
              // Refused after all (Update-With-Start reports a refusal from the handle): the run
              // decides without this request, and its result answers it.
              await(false, deadlineNanos, result);
            } else if (grpcCode(cause) == Status.Code.RESOURCE_EXHAUSTED) {
              long pauseMillis = 50 + ThreadLocalRandom.current().nextLong(150);
              if (System.nanoTime() + pauseMillis * 1_000_000 >= deadlineNanos) {
                result.completeExceptionally(
                    new TimeoutException("still undecided while the workflow was busy"));
                return;
              }
              CompletableFuture.delayedExecutor(pauseMillis, TimeUnit.MILLISECONDS)
                  .execute(() -> await(fromUpdate, deadlineNanos, result));
            } else {
              result.completeExceptionally(cause);
            }
          });
    }
  }

  /**
   * Activates now. A plain start ({@code USE_EXISTING}: one fast call, no worker involved) starts
   * the run or joins the one open; when that run is not waiting on a schedule (no {@code
   * ActivationScheduledFor}: it decides at once), this request waits for its result, which is what
   * keeps a storm of thousands of requests on one run cheap. When the run is waiting on a schedule
   * (the attribute is set from the start of a scheduled run), {@code activateNow} goes through
   * Update-With-Start ({@code USE_EXISTING}, waiting until a worker accepts it): atomic even if the
   * run closed meanwhile (a new run then starts and decides). When no worker accepts it within
   * {@code acceptTimeout}, the run refused it, or the server shed it (many updates in flight on one
   * run), this request waits for the run's result instead.
   */
  @Override
  public Joined activateNow(ExperimentId id, String requestedBy) {
    Started run = start(id, requestedBy);
    Joined waitForTheRun = new Joined(id, requestedBy, run.execution(), null);
    if (!hasPendingSchedule(run.execution())) {
      return waitForTheRun;
    }
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            ActivationContract.WORKFLOW_TYPE, options(id.value(), requestedBy));
    try {
      WorkflowUpdateHandle<ActivationResult> update =
          CallDeadline.within(
              acceptTimeout,
              () ->
                  stub.startUpdateWithStart(
                      UpdateOptions.newBuilder(ActivationResult.class)
                          .setUpdateName(ActivationContract.UPDATE_ACTIVATE_NOW)
                          .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                          .build(),
                      new Object[] {new ActivateNowRequest(requestedBy)},
                      new Object[] {new ActivationRequest(id.value(), requestedBy)}));
      return new Joined(id, requestedBy, update.getExecution(), update);
    } catch (WorkflowUpdateException refused) {
      return waitForTheRun;
    } catch (RuntimeException e) {
      Status.Code code = grpcCode(e);
      if (notAcceptedInTime(e) || isNotFound(e) || code == Status.Code.RESOURCE_EXHAUSTED) {
        log.info(
            "activateNow on the pending schedule of {} not accepted ({}): waiting for its run",
            id,
            code);
        return waitForTheRun;
      }
      throw e;
    }
  }

  /** {@link #activateNow(ExperimentId, String)} for an id given as text. */
  public Joined activateNow(String experimentId, String requestedBy) {
    return activateNow(ExperimentId.parse(experimentId), requestedBy);
  }

  /**
   * Whether {@code execution} is waiting on a schedule ({@code ActivationScheduledFor} is set): a
   * read of the server's record, no worker involved.
   */
  public boolean hasPendingSchedule(WorkflowExecution execution) {
    WorkflowStub run = runStub(execution);
    return CallDeadline.within(callTimeout, run::describe)
            .getTypedSearchAttributes()
            .get(ActivationContract.ACTIVATION_SCHEDULED_FOR)
        != null;
  }

  private static boolean notAcceptedInTime(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof WorkflowUpdateTimeoutOrCancelledException) {
        return true;
      }
    }
    Status.Code code = grpcCode(e);
    return code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.CANCELLED;
  }

  /**
   * Schedules the activation of {@code experimentId} at {@code activateAt} through Update-With-
   * Start ({@code schedule}): a new run validates now and waits; an open run with a pending
   * schedule moves it (after validating now). Waits up to {@code timeout} for the answer; every
   * call stops at {@code timeout} plus {@code callTimeout}.
   */
  @Override
  public ScheduleAnswer schedule(
      ExperimentId experimentId, Instant activateAt, String requestedBy, Duration timeout) {
    String id = experimentId.value();
    long deadline = System.nanoTime() + timeout.toNanos();
    return CallDeadline.within(
        timeout.plus(callTimeout),
        () -> {
          ScheduleAnswer answer = null;
          // A cancel that wins a race ends the run this request joined: the second try starts
          // afresh.
          for (int attempt = 1; attempt <= 2; attempt++) {
            answer = scheduleOnce(id, activateAt, requestedBy, deadline);
            if (answer.result() == null || answer.result().outcome() != Outcome.CANCELLED) {
              return answer;
            }
          }
          return answer;
        });
  }

  /** {@link #schedule(ExperimentId, Instant, String, Duration)} for an id given as text. */
  public ScheduleAnswer schedule(
      String experimentId, Instant activateAt, String requestedBy, Duration timeout) {
    return schedule(ExperimentId.parse(experimentId), activateAt, requestedBy, timeout);
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
    WorkflowStub run = runStub(execution);
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
  @Override
  public Optional<ActivationResult> cancel(
      ExperimentId experimentId, String requestedBy, Duration timeout) throws TimeoutException {
    return CallDeadline.within(
        timeout.plus(callTimeout), () -> cancelOnce(experimentId, requestedBy, timeout));
  }

  /** {@link #cancel(ExperimentId, String, Duration)} for an id given as text. */
  public Optional<ActivationResult> cancel(
      String experimentId, String requestedBy, Duration timeout) throws TimeoutException {
    return cancel(ExperimentId.parse(experimentId), requestedBy, timeout);
  }

  private Optional<ActivationResult> cancelOnce(
      ExperimentId experimentId, String requestedBy, Duration timeout) throws TimeoutException {
    String workflowId = experimentId.workflowId();
    Optional<WorkflowUpdateHandle<ActivationResult>> accepted;
    try {
      accepted =
          unlessNotFound(
              () ->
                  client
                      .newUntypedWorkflowStub(workflowId)
                      .startUpdate(
                          UpdateOptions.newBuilder(ActivationResult.class)
                              .setUpdateName(ActivationContract.UPDATE_CANCEL)
                              .setWaitForStage(WorkflowUpdateStage.ACCEPTED)
                              .build(),
                          new CancelRequest(requestedBy)));
    } catch (WorkflowUpdateException refused) {
      return Optional.empty();
    }
    if (accepted.isEmpty()) {
      return Optional.empty();
    }
    WorkflowUpdateHandle<ActivationResult> update = accepted.get();
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

  /** {@link #pendingSchedule(ExperimentId)} for an id given as text. */
  public Optional<ActivationSchedule> pendingSchedule(String experimentId) {
    return pendingSchedule(ExperimentId.parse(experimentId));
  }

  /** The pending schedule of {@code experimentId} (a query of its latest run), if any. */
  public Optional<ActivationSchedule> pendingSchedule(ExperimentId experimentId) {
    String workflowId = experimentId.workflowId();
    return unlessNotFound(
        () ->
            CallDeadline.within(
                callTimeout,
                () ->
                    client
                        .newUntypedWorkflowStub(workflowId)
                        .query(ActivationContract.QUERY_SCHEDULE, ActivationSchedule.class)));
  }

  /**
   * Up to {@code limit} pending schedules after {@code after} (null: from the soonest), soonest
   * first, from visibility ({@code ActivationScheduledFor} on running activations). Needs a server
   * with visibility (a real server, the CLI's dev server); the embedded test server has none.
   */
  @Override
  public SchedulePage schedules(int limit, ScheduleCursor after) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    return CallDeadline.within(callTimeout, () -> readSchedules(limit, after));
  }

  private SchedulePage readSchedules(int limit, ScheduleCursor after) {
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

  /**
   * The options of a run started by a schedule request: its summary names the time and who, and it
   * carries {@code ActivationScheduledFor} (and the schedule's memo) from its first moment, so that
   * an immediate request arriving while it validates sees the schedule and joins it through
   * Update-With-Start; the run unsets the attribute when it stops waiting, or refuses to wait.
   */
  public WorkflowOptions scheduleOptions(
      String experimentId, Instant activateAt, String requestedBy) {
    String who = requestedBy == null ? "an anonymous caller" : requestedBy;
    return WorkflowOptions.newBuilder(options(experimentId, requestedBy))
        .setTypedSearchAttributes(
            SearchAttributes.newBuilder()
                .set(ActivationContract.EXPERIMENT_ID, experimentId)
                .set(
                    ActivationContract.ACTIVATION_SCHEDULED_FOR,
                    activateAt.atOffset(ZoneOffset.UTC))
                .build())
        .setMemo(
            Map.of(
                ActivationContract.SCHEDULE_MEMO, new ActivationSchedule(activateAt, requestedBy)))
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

  /**
   * The latest run for {@code experimentId}: a describe, then its result (completed) or its pending
   * schedule (running), all within {@code timeout}.
   */
  @Override
  public Optional<RunStatus> status(ExperimentId experimentId, Duration timeout)
      throws TimeoutException {
    long deadline = System.nanoTime() + timeout.toNanos();
    return CallDeadline.within(timeout, () -> readStatus(experimentId, deadline));
  }

  private Optional<RunStatus> readStatus(ExperimentId experimentId, long deadline)
      throws TimeoutException {
    String workflowId = experimentId.workflowId();
    Optional<WorkflowExecutionDescription> described =
        unlessNotFound(() -> client.newUntypedWorkflowStub(workflowId).describe());
    if (described.isEmpty()) {
      return Optional.empty();
    }
    WorkflowExecutionDescription description = described.get();
    WorkflowExecution execution = description.getExecution();
    WorkflowExecutionStatus status = description.getStatus();
    ActivationResult result = null;
    ActivationSchedule schedule = null;
    if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      result =
          runStub(execution)
              .getResult(millisLeft(deadline), TimeUnit.MILLISECONDS, ActivationResult.class);
    } else if (status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
      schedule =
          runStub(execution).query(ActivationContract.QUERY_SCHEDULE, ActivationSchedule.class);
    }
    return Optional.of(
        new RunStatus(
            workflowId,
            execution.getRunId(),
            status.name().replace(STATUS_PREFIX, ""),
            description.getStartTime(),
            description.getCloseTime(),
            result,
            schedule));
  }

  private static final String STATUS_PREFIX = "WORKFLOW_EXECUTION_STATUS_";

  private WorkflowStub runStub(WorkflowExecution execution) {
    return client.newUntypedWorkflowStub(
        execution.getWorkflowId(), Optional.of(execution.getRunId()), Optional.empty());
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static long millisLeft(long deadlineNanos) {
    return Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  private static Status.Code grpcCode(Throwable error) {
    return GrpcStatus.codeOf(error);
  }

  /** What {@code call} returns (empty for null), or empty when there is no such workflow or run. */
  private static <T> Optional<T> unlessNotFound(Supplier<T> call) {
    try {
      return Optional.ofNullable(call.get());
    } catch (RuntimeException e) {
      if (isNotFound(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean isNotFound(Throwable error) {
    if (error instanceof WorkflowNotFoundException) {
      return true;
    }
    return grpcCode(error) == Status.Code.NOT_FOUND;
  }
}
