package dev.abtest.activation;

/**
 * The workflow input: which experiment, and who asked (a token subject, or null when authentication
 * is off). Clients in any language send it as {@code {"experimentId": "...", "requestedBy": ...}}.
 */
public record ActivationRequest(String experimentId, String requestedBy) {}
