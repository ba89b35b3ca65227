package dev.abtest.activation.events;

/** A delivery that a receiver accepted: its HTTP status and the attempt that got it. */
public record DeliveryResult(String eventId, String host, int status, int attempt) {}
