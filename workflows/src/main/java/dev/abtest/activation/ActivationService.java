package dev.abtest.activation;

import io.temporal.api.common.v1.WorkflowExecution;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * What a caller (the HTTP edge, the command line) asks of activations, in the contract's terms and
 * without Temporal handles. {@link ActivationClient} implements it over a {@code WorkflowClient}; a
 * unit test of the edge implements it with a fake.
 */
public interface ActivationService {

  /**
   * Activates {@code id} now, or joins what is already deciding for it; a pending schedule ends
   * with this activation.
   */
  RunningActivation activateNow(ExperimentId id, String requestedBy);

  /**
   * Schedules the activation of {@code id} at {@code activateAt} (or moves the pending schedule),
   * waiting up to {@code timeout} for the answer.
   */
  ScheduleAnswer schedule(
      ExperimentId id, Instant activateAt, String requestedBy, Duration timeout);

  /**
   * Cancels the pending schedule of {@code id}; empty when none is pending.
   *
   * @return the run's result, outcome CANCELLED
   * @throws TimeoutException when the run did not finish within {@code timeout}
   */
  Optional<ActivationResult> cancel(ExperimentId id, String requestedBy, Duration timeout)
      throws TimeoutException;

  /**
   * Up to {@code limit} pending schedules after {@code after} (null: the soonest), soonest first.
   */
  SchedulePage schedules(int limit, ScheduleCursor after);

  /**
   * The latest run for {@code id} as Temporal reports it, with its result when completed and its
   * pending schedule when running; empty when there has been none. Every call it makes stops at
   * {@code timeout}.
   *
   * @throws TimeoutException when the run's result or schedule could not be read in time
   */
  Optional<RunStatus> status(ExperimentId id, Duration timeout) throws TimeoutException;

  /** An activation under way: which run decides it, and its result when it comes. */
  interface RunningActivation {
    String workflowId();

    String runId();

    /**
     * The result without a thread waiting for it: completes with it, or exceptionally with a {@link
     * TimeoutException} when still undecided after {@code timeout}.
     */
    CompletableFuture<ActivationResult> resultAsync(Duration timeout);

    /** Waits up to {@code timeout}; throws {@link TimeoutException} if still undecided. */
    default ActivationResult result(Duration timeout) throws TimeoutException {
      try {
        return resultAsync(timeout).get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the activation", e);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof TimeoutException stillRunning) {
          throw stillRunning;
        }
        if (cause instanceof RuntimeException runtime) {
          throw runtime;
        }
        throw new IllegalStateException(cause);
      }
    }
  }

  /**
   * What a schedule request came to: {@code schedule} set when a schedule is pending (new, joined
   * or moved); otherwise {@code result} is what the run decided instead (REJECTED, NOT_FOUND,
   * ALREADY_ACTIVE, or an activation that happened); both null when still undecided at the timeout.
   */
  record ScheduleAnswer(
      WorkflowExecution execution, ActivationSchedule schedule, ActivationResult result) {
    public String workflowId() {
      return execution.getWorkflowId();
    }

    public String runId() {
      return execution.getRunId();
    }
  }

  /**
   * A run as the status route shows it: {@code status} is Temporal's execution status without its
   * prefix (RUNNING, COMPLETED, FAILED...); {@code result} only when completed, {@code schedule}
   * only while a schedule is pending.
   */
  record RunStatus(
      String workflowId,
      String runId,
      String status,
      Instant startedAt,
      Instant closedAt,
      ActivationResult result,
      ActivationSchedule schedule) {}
}
