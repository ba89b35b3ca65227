package dev.abtest.activation;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;
import java.util.Objects;

/**
 * Timeouts and retries of the two activities. A transient database error is retried with
 * exponential backoff until the database is back, for at most {@code retryBudget} in total; after
 * that the workflow fails. The worker builds this from its configuration and hands it to the
 * workflow.
 */
public record ActivationPolicy(
    Duration attemptTimeout,
    Duration initialInterval,
    Duration maximumInterval,
    Duration retryBudget) {

  public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofHours(1);

  public ActivationPolicy {
    Objects.requireNonNull(attemptTimeout, "attemptTimeout");
    Objects.requireNonNull(initialInterval, "initialInterval");
    Objects.requireNonNull(maximumInterval, "maximumInterval");
    Objects.requireNonNull(retryBudget, "retryBudget");
    if (retryBudget.compareTo(attemptTimeout) < 0) {
      throw new IllegalArgumentException("retryBudget must be at least attemptTimeout");
    }
  }

  public static ActivationPolicy defaults() {
    return withRetryBudget(DEFAULT_RETRY_BUDGET);
  }

  public static ActivationPolicy withRetryBudget(Duration retryBudget) {
    return new ActivationPolicy(
        Duration.ofSeconds(30), Duration.ofMillis(500), Duration.ofSeconds(30), retryBudget);
  }

  public ActivityOptions activityOptions() {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(attemptTimeout)
        .setScheduleToCloseTimeout(retryBudget)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(initialInterval)
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(maximumInterval)
                .setDoNotRetry(ActivationFailures.INVALID_REQUEST)
                .build())
        .build();
  }
}
