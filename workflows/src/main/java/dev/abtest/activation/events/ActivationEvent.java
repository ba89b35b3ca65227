package dev.abtest.activation.events;

import java.time.Instant;

/**
 * One event, as handed to every delivery of it: {@code id} is the {@code webhook-id} (the same on
 * every attempt and for every URL), {@code timestamp} the time of the change.
 */
public record ActivationEvent(
    String id, ActivationEventType type, Instant timestamp, ActivationEventData data) {}
