package dev.abtest.worker.activation;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationWriteActivities;
import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionAuditActivities;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.WriteResult;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.AuditRecord;
import dev.abtest.store.DatabaseErrors;
import dev.abtest.worker.validation.ActivationRules;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one write of an activation. The workflow run's id makes it idempotent: every attempt of one
 * run passes the same (workflow id, run id), so an attempt after a commit whose reply was lost
 * finds the run's audit row and reports ACTIVATED again without writing.
 */
public final class ActivationWriteActivitiesImpl
    implements ActivationWriteActivities, DecisionAuditActivities {
  private static final Logger log = LoggerFactory.getLogger(ActivationWriteActivitiesImpl.class);

  // Re-runs of the status-only write after a row was stopped again between write and re-read.
  private static final int LEGACY_ROUNDS = 3;

  private final ActivationStore store;

  public ActivationWriteActivitiesImpl(ActivationStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  /**
   * The write of runs started before the validated-snapshot write (status-only condition). What it
   * did becomes the result here as it did then: the status rules of {@link ActivationRules} explain
   * a row that was not written.
   */
  @Override
  public ActivationResult activate(ActivationRequest request) {
    String id = validId(request == null ? null : request.experimentId());
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    return storeCall(
        "Activation write for " + id,
        info,
        () -> {
          for (int round = 1; round <= LEGACY_ROUNDS; round++) {
            WriteResult write =
                store.activateIfActivatable(
                    id,
                    request.requestedBy(),
                    info.getWorkflowId(),
                    info.getWorkflowRunId(),
                    info.getAttempt());
            Optional<ActivationResult> result = legacyResult(id, write);
            if (result.isPresent()) {
              log.info(
                  "Activation write for {} (attempt {}): {}",
                  id,
                  info.getAttempt(),
                  result.get().outcome());
              return result.get();
            }
            // It was ACTIVE during the write and was stopped just since: try again.
          }
          throw new IllegalStateException(
              "Experiment " + id + " kept changing status during activation; retry later");
        });
  }

  private static Optional<ActivationResult> legacyResult(String id, WriteResult write) {
    if (write.kind() != WriteResult.Kind.ROW_CHANGED) {
      return ActivationResult.ofWrite(id, write);
    }
    return ActivationRules.decideStatus(Optional.of(write.experiment()))
        .map(report -> ActivationResult.decided(id, report));
  }

  /**
   * The validated-snapshot write. The attempts are counted across rounds: the workflow passes those
   * of its earlier rounds, this activity's attempt number adds this round's.
   */
  @Override
  public WriteResult writeSnapshot(SnapshotWrite write) {
    String id = validId(write == null ? null : write.experimentId());
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    // Attempts count from 1 (an activity test environment reports 0).
    int attempts = write.priorWriteAttempts() + Math.max(1, info.getAttempt());
    SnapshotWrite normalized =
        new SnapshotWrite(
            id,
            write.requestedBy(),
            write.expectedStatus(),
            write.expectedConfiguration(),
            write.expectedEndDate(),
            write.priorWriteAttempts());
    return storeCall(
        "Activation write for " + id,
        info,
        () -> {
          WriteResult result =
              store.activateIfUnchanged(
                  normalized, info.getWorkflowId(), info.getWorkflowRunId(), attempts);
          log.info(
              "Activation write for {} (attempt {}, {} in all): {}",
              id,
              info.getAttempt(),
              attempts,
              result.kind());
          return result;
        });
  }

  /** The normalized id, or a non-retryable INVALID_REQUEST failure naming the problem. */
  private static String validId(String rawId) {
    try {
      return ExperimentId.parse(rawId).value();
    } catch (ExperimentId.Invalid invalid) {
      throw ApplicationFailure.newNonRetryableFailure(
          invalid.problem(), ActivationFailures.INVALID_REQUEST);
    }
  }

  /**
   * Records the decision for this workflow run under this activity's id: every attempt of one
   * activity invocation has the same id, so a retry after a lost reply records nothing twice.
   */
  @Override
  public void recordDecision(Decision decision) {
    if (decision == null) {
      throw ApplicationFailure.newNonRetryableFailure(
          "a decision is required", ActivationFailures.INVALID_REQUEST);
    }
    String id = validId(decision.experimentId());
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    Decision normalized =
        new Decision(
            id,
            decision.outcome(),
            decision.requestedBy(),
            decision.previousStatus(),
            decision.violations(),
            decision.writeAttempts(),
            decision.scheduledFor());
    storeCall(
        "Recording the decision for " + id,
        info,
        () -> {
          AuditRecord record =
              store.recordDecision(
                  normalized, info.getWorkflowId(), info.getWorkflowRunId(), info.getActivityId());
          log.info(
              "Decision for {} recorded (attempt {}): {} as audit record {}",
              id,
              info.getAttempt(),
              record.outcome(),
              record.id());
          return record;
        });
  }

  /**
   * Runs one store call of an attempt. An argument the store refuses fails the activity without
   * retry (INVALID_REQUEST); anything else (the database down, a timeout) is logged in one line and
   * rethrown, so Temporal retries the attempt with backoff until the database is back.
   */
  private static <T> T storeCall(String what, ActivityInfo info, Supplier<T> call) {
    try {
      return call.get();
    } catch (IllegalArgumentException e) {
      throw ApplicationFailure.newNonRetryableFailure(
          e.getMessage(), ActivationFailures.INVALID_REQUEST);
    } catch (RuntimeException e) {
      log.warn(
          "{} (attempt {}) failed, will be retried: {}",
          what,
          info.getAttempt(),
          DatabaseErrors.summary(e));
      throw e;
    }
  }
}
