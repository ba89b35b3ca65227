package dev.abtest.activation.events;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Retries the POST with exponential backoff until a receiver answers 2xx or the retry budget (a
 * schedule-to-close timeout) runs out; then the run fails with {@link
 * DeliverActivationEventWorkflow#UNDELIVERED}, so an undelivered event shows red in the Web UI.
 */
public class DeliverActivationEventWorkflowImpl implements DeliverActivationEventWorkflow {
  private static final Logger log = Workflow.getLogger(DeliverActivationEventWorkflowImpl.class);

  /** The HTTP timeout of one attempt is 10 s; the rest is margin for signing and scheduling. */
  static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(15);

  static final Duration INITIAL_INTERVAL = Duration.ofSeconds(1);
  static final Duration LONGEST_INTERVAL = Duration.ofHours(1);

  @Override
  public DeliveryResult deliver(EventDelivery delivery) {
    Duration budget = Duration.ofMillis(delivery.retryBudgetMillis());
    ActivationEventActivities http =
        Workflow.newActivityStub(
            ActivationEventActivities.class,
            ActivityOptions.newBuilder(activityOptions(budget))
                .setSummary("POST " + delivery.event().type().wireName() + " to " + delivery.host())
                .build());
    try {
      DeliveryResult result = http.post(delivery);
      log.info(
          "Activation event {} delivered to {}: HTTP {} on attempt {}",
          delivery.event().id(),
          delivery.host(),
          result.status(),
          result.attempt());
      return result;
    } catch (ActivityFailure failure) {
      String message =
          "Activation event "
              + delivery.event().id()
              + " ("
              + delivery.event().type().wireName()
              + ") not delivered to "
              + delivery.host()
              + " within the retry budget of "
              + budget
              + ": "
              + rootMessage(failure);
      log.warn(message);
      throw ApplicationFailure.newNonRetryableFailure(message, UNDELIVERED);
    }
  }

  /**
   * One attempt at most {@link #ATTEMPT_TIMEOUT}, retried from 1 s, doubling, up to a tenth of the
   * budget (at most an hour): a 24 h budget makes about 30 attempts, a test's 30 s budget a dozen.
   */
  static ActivityOptions activityOptions(Duration budget) {
    Duration longest = budget.dividedBy(10);
    if (longest.compareTo(INITIAL_INTERVAL) < 0) {
      longest = INITIAL_INTERVAL;
    } else if (longest.compareTo(LONGEST_INTERVAL) > 0) {
      longest = LONGEST_INTERVAL;
    }
    return ActivityOptions.newBuilder()
        .setStartToCloseTimeout(ATTEMPT_TIMEOUT)
        .setScheduleToCloseTimeout(budget)
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(INITIAL_INTERVAL)
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(longest)
                .build())
        .build();
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause instanceof ApplicationFailure app ? app.getOriginalMessage() : cause.getMessage();
  }
}
