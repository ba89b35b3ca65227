package dev.abtest.worker.validation;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.DatabaseErrors;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the experiment and lets {@link ActivationRules} decide; writes nothing. */
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
    String id;
    try {
      id = ExperimentId.parse(experimentId).value();
    } catch (ExperimentId.Invalid invalid) {
      throw ApplicationFailure.newNonRetryableFailure(
          invalid.problem(), ActivationFailures.INVALID_REQUEST);
    }

    Optional<Experiment> found;
    try {
      found = store.find(id);
    } catch (RuntimeException e) {
      // Rethrown: Temporal retries the attempt with backoff until the database is back.
      log.warn("Validation of {} failed, will be retried: {}", id, DatabaseErrors.summary(e));
      throw e;
    }
    ValidationReport report = ActivationRules.decide(found, clock.instant());
    log.info(
        "Validation of {}: {}{}",
        id,
        report.verdict(),
        report.violations().isEmpty()
            ? ""
            : " " + report.violations().stream().map(v -> v.code().name()).toList());
    return report;
  }
}
