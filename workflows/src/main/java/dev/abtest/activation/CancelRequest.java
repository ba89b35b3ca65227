package dev.abtest.activation;

/** Input of the {@code cancel} update: who cancels the pending schedule. */
public record CancelRequest(String requestedBy) {}
