package dev.abtest.worker.activation;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationStoreActivities;
import dev.abtest.activation.ExperimentIds;
import dev.abtest.store.ActivationStore;
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
public final class ActivationStoreActivitiesImpl implements ActivationStoreActivities {
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
          store.activate(id, request.requestedBy(), info.getWorkflowId(), info.getWorkflowRunId());
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
}
