package dev.abtest.worker.validation;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentIds;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.ValidationReport.Verdict;
import dev.abtest.activation.Violation;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.DatabaseErrors;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the experiment and checks every activation rule; writes nothing. */
public final class ValidationActivitiesImpl implements ValidationActivities {
  private static final Logger log = LoggerFactory.getLogger(ValidationActivitiesImpl.class);

  private final ActivationStore store;
  private final Clock clock;

  public ValidationActivitiesImpl(ActivationStore store, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public ValidationReport validate(String experimentId) {
    Optional<String> problem = ExperimentIds.problem(experimentId);
    if (problem.isPresent()) {
      throw ApplicationFailure.newNonRetryableFailure(
          problem.get(), ActivationFailures.INVALID_REQUEST);
    }
    String id = ExperimentIds.normalize(experimentId);

    Optional<Experiment> found;
    try {
      found = store.find(id);
    } catch (RuntimeException e) {
      // Rethrown: Temporal retries the attempt with backoff until the database is back.
      log.warn("Validation of {} failed, will be retried: {}", id, DatabaseErrors.summary(e));
      throw e;
    }
    if (found.isEmpty()) {
      log.info("Validation of {}: not found", id);
      return new ValidationReport(Verdict.NOT_FOUND, null, List.of());
    }
    Experiment experiment = found.get();
    if (experiment.status() == ExperimentStatus.ACTIVE) {
      log.info("Validation of {}: already active", id);
      return new ValidationReport(Verdict.ALREADY_ACTIVE, experiment, List.of());
    }
    List<Violation> violations = ActivationRules.check(experiment, clock.instant());
    if (!violations.isEmpty()) {
      log.info(
          "Validation of {}: rejected, {}",
          id,
          violations.stream().map(v -> v.code().name()).toList());
      return new ValidationReport(Verdict.REJECTED, experiment, violations);
    }
    log.info("Validation of {}: valid ({})", id, experiment.status());
    return new ValidationReport(Verdict.VALID, experiment, List.of());
  }
}
