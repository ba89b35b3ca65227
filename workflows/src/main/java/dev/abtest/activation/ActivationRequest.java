package dev.abtest.activation;

import java.time.Instant;

/**
 * The workflow input: which experiment, who asked (a token subject, or null when authentication is
 * off), and when to activate ({@code activateAt} null or absent: now). Clients in any language send
 * it as {@code {"experimentId": "...", "requestedBy": ..., "activateAt": "<RFC 3339>" or null}}.
 */
public record ActivationRequest(String experimentId, String requestedBy, Instant activateAt) {

  /** An immediate activation. */
  public ActivationRequest(String experimentId, String requestedBy) {
    this(experimentId, requestedBy, null);
  }
}
