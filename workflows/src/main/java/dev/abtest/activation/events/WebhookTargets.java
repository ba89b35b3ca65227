package dev.abtest.activation.events;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * Where events go and for how long each delivery is retried: the worker's configuration, recorded
 * in the activation's history (a side effect) so a replay sees the URLs the run saw.
 */
public record WebhookTargets(List<String> urls, long retryBudgetMillis) {
  public static final Duration DEFAULT_RETRY_BUDGET = Duration.ofHours(24);

  public WebhookTargets {
    urls = urls == null ? List.of() : List.copyOf(urls);
  }

  public static WebhookTargets none() {
    return new WebhookTargets(List.of(), DEFAULT_RETRY_BUDGET.toMillis());
  }

  public static WebhookTargets of(List<String> urls, Duration retryBudget) {
    return new WebhookTargets(urls, retryBudget.toMillis());
  }

  public Duration retryBudget() {
    return Duration.ofMillis(retryBudgetMillis);
  }

  /**
   * The host of a URL, for summaries and logs (never the path or query, which may hold a token).
   */
  public static String host(String url) {
    try {
      String host = URI.create(url).getHost();
      int port = URI.create(url).getPort();
      return host == null ? "unknown host" : port < 0 ? host : host + ":" + port;
    } catch (IllegalArgumentException e) {
      return "unknown host";
    }
  }
}
