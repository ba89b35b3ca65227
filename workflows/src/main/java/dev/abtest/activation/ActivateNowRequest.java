package dev.abtest.activation;

/** Input of the {@code activateNow} update: who asks for the activation to happen now. */
public record ActivateNowRequest(String requestedBy) {}
