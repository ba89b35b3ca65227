package dev.abtest.worker.activation;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationStoreActivities;
import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionAuditActivities;
import dev.abtest.activation.ExperimentIds;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.AuditRecord;
import dev.abtest.store.DatabaseErrors;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import io.temporal.failure.ApplicationFailure;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one write of an activation. The workflow run's id makes it idempotent: every attempt of one
 * run passes the same (workflow id, run id), so an attempt after a commit whose reply was lost
 * finds the run's audit row and reports ACTIVATED again without writing.
 */
public final class ActivationStoreActivitiesImpl
    implements ActivationStoreActivities, DecisionAuditActivities {
  private static final Logger log = LoggerFactory.getLogger(ActivationStoreActivitiesImpl.class);

  private final ActivationStore store;

  public ActivationStoreActivitiesImpl(ActivationStore store) {
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public ActivationResult activate(ActivationRequest request) {
    String rawId = request == null ? null : request.experimentId();
    Optional<String> problem = ExperimentIds.problem(rawId);
    if (problem.isPresent()) {
      throw ApplicationFailure.newNonRetryableFailure(
          problem.get(), ActivationFailures.INVALID_REQUEST);
    }
    String id = ExperimentIds.normalize(rawId);
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    try {
      ActivationResult result =
          store.activate(
              id,
              request.requestedBy(),
              info.getWorkflowId(),
              info.getWorkflowRunId(),
              info.getAttempt());
      log.info("Activation write for {} (attempt {}): {}", id, info.getAttempt(), result.outcome());
      return result;
    } catch (RuntimeException e) {
      // Rethrown: Temporal retries the attempt with backoff until the database is back.
      log.warn(
          "Activation write for {} (attempt {}) failed, will be retried: {}",
          id,
          info.getAttempt(),
          DatabaseErrors.summary(e));
      throw e;
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
    Optional<String> problem = ExperimentIds.problem(decision.experimentId());
    if (problem.isPresent()) {
      throw ApplicationFailure.newNonRetryableFailure(
          problem.get(), ActivationFailures.INVALID_REQUEST);
    }
    ActivityInfo info = Activity.getExecutionContext().getInfo();
    String id = ExperimentIds.normalize(decision.experimentId());
    Decision normalized =
        new Decision(
            id,
            decision.outcome(),
            decision.requestedBy(),
            decision.previousStatus(),
            decision.violations(),
            decision.writeAttempts(),
            decision.scheduledFor());
    try {
      AuditRecord record =
          store.recordDecision(
              normalized, info.getWorkflowId(), info.getWorkflowRunId(), info.getActivityId());
      log.info(
          "Decision for {} recorded (attempt {}): {} as audit record {}",
          id,
          info.getAttempt(),
          record.outcome(),
          record.id());
    } catch (RuntimeException e) {
      log.warn(
          "Recording the decision for {} (attempt {}) failed, will be retried: {}",
          id,
          info.getAttempt(),
          DatabaseErrors.summary(e));
      throw e;
    }
  }
}
