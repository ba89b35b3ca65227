package dev.abtest.activation.events;

/** The input of one delivery: one event to one URL, retried for up to the targets' budget. */
public record EventDelivery(
    ActivationEvent event, String url, int urlIndex, long retryBudgetMillis) {
  public String host() {
    return WebhookTargets.host(url);
  }
}
