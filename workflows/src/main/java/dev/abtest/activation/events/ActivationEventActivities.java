package dev.abtest.activation.events;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Delivers an event to one URL: one signed HTTP POST per attempt. */
@ActivityInterface
public interface ActivationEventActivities {
  /** The activity type other tools see in the history and in metrics. */
  String POST_TYPE = "PostActivationEvent";

  /**
   * POSTs the event; returns on a 2xx answer and throws (so the attempt is retried) on any other
   * status, a timeout or a refused connection.
   */
  @ActivityMethod(name = POST_TYPE)
  DeliveryResult post(EventDelivery delivery);
}
