package dev.abtest.testing;

import dev.abtest.activation.ActivationPolicy;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Activity timeouts and retries for tests: a retried activity waits milliseconds, not minutes. */
public final class TestPolicies {
  /**
   * Retries back off from 100 ms to 500 ms; an attempt may take 10 s (well above a pool's
   * connection timeout, so an attempt during an outage fails rather than hangs); the budget of 10
   * minutes never runs out in a test.
   */
  public static final ActivationPolicy FAST_RETRIES =
      new ActivationPolicy(
          Duration.ofSeconds(10),
          Duration.ofMillis(100),
          Duration.ofMillis(500),
          Duration.ofMinutes(10));

  /** Retries that run out within 2 s: for runs that must end in a failed workflow. */
  public static final ActivationPolicy EXHAUSTED_IN_TWO_SECONDS =
      new ActivationPolicy(
          Duration.ofSeconds(1),
          Duration.ofMillis(100),
          Duration.ofMillis(200),
          Duration.ofSeconds(2));

  /**
   * Options for an activity stub in Temporal's activity test environment: {@code attempts} attempts
   * (the environment retries within one call), 10 ms apart, 20 s each.
   */
  public static ActivityOptions activityAttempts(int attempts) {
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(Duration.ofSeconds(20))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofMillis(10))
                .setMaximumAttempts(attempts)
                .build())
        .build();
  }

  private TestPolicies() {}
}
