package dev.abtest.activation.events;

/** The events the contract names, with the {@code type} string receivers see. */
public enum ActivationEventType {
  ACTIVATED("experiment.activated"),
  SCHEDULED("experiment.activation.scheduled"),
  RESCHEDULED("experiment.activation.rescheduled"),
  CANCELLED("experiment.activation.cancelled");

  private final String wireName;

  ActivationEventType(String wireName) {
    this.wireName = wireName;
  }

  /** The {@code type} field of the body, e.g. {@code experiment.activated}. */
  public String wireName() {
    return wireName;
  }

  /** The activated event carries {@code activatedAt}; the scheduling events {@code activateAt}. */
  public boolean isActivation() {
    return this == ACTIVATED;
  }
}
