package dev.abtest.worker.events;

import dev.abtest.activation.events.WebhookTargets;
import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Where activation events go ({@code ACTIVATION_WEBHOOK_URLS}), how they are signed ({@code
 * ACTIVATION_WEBHOOK_SECRET}, {@code whsec_<base64>}, at least 24 bytes, required with URLs) and
 * for how long a delivery is retried ({@code ACTIVATION_WEBHOOK_RETRY_BUDGET}, default 24 h).
 * {@link #toString()} never shows the secret.
 */
public record WebhookSettings(List<URI> urls, String secret, Duration retryBudget) {
  public static final String SECRET_PREFIX = "whsec_";
  public static final int MIN_SECRET_BYTES = 24;

  /** At least one attempt's worth: the POST's own timeout is 10 s. */
  public static final Duration MIN_RETRY_BUDGET = Duration.ofSeconds(15);

  public WebhookSettings {
    urls = List.copyOf(urls);
    retryBudget = retryBudget == null ? WebhookTargets.DEFAULT_RETRY_BUDGET : retryBudget;
  }

  public static WebhookSettings none() {
    return new WebhookSettings(List.of(), null, WebhookTargets.DEFAULT_RETRY_BUDGET);
  }

  /**
   * @throws ConfigException one line naming the variable; never quoting the secret
   */
  public static WebhookSettings fromEnv(Env env) {
    List<URI> urls = new ArrayList<>();
    String raw = env.optional("ACTIVATION_WEBHOOK_URLS").orElse("");
    for (String part : raw.split(",", -1)) {
      String text = part.strip();
      if (text.isEmpty()) {
        if (!raw.isBlank()) {
          throw new ConfigException(
              "ACTIVATION_WEBHOOK_URLS has an empty entry: give comma-separated http(s) URLs");
        }
        continue;
      }
      urls.add(url(text));
    }
    Duration budget =
        env.duration("ACTIVATION_WEBHOOK_RETRY_BUDGET", WebhookTargets.DEFAULT_RETRY_BUDGET);
    if (budget.compareTo(MIN_RETRY_BUDGET) < 0) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_RETRY_BUDGET must be at least "
              + MIN_RETRY_BUDGET.toSeconds()
              + "s (one attempt), got "
              + env.optional("ACTIVATION_WEBHOOK_RETRY_BUDGET").orElse(""));
    }
    String secret = env.optional("ACTIVATION_WEBHOOK_SECRET").map(String::strip).orElse(null);
    if (secret != null && secret.isEmpty()) {
      secret = null;
    }
    if (secret != null) {
      checkSecret(secret);
    } else if (!urls.isEmpty()) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_SECRET is required with ACTIVATION_WEBHOOK_URLS: set it to whsec_"
              + " followed by at least "
              + MIN_SECRET_BYTES
              + " random bytes in base64");
    }
    return new WebhookSettings(urls, secret, budget);
  }

  private static URI url(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_URLS has an invalid URL (" + e.getReason() + "): " + safe(text));
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_URLS accepts http and https URLs only, got " + safe(text));
    }
    if (uri.getHost() == null || uri.getHost().isBlank()) {
      throw new ConfigException("ACTIVATION_WEBHOOK_URLS has a URL without a host: " + safe(text));
    }
    if (uri.getRawUserInfo() != null) {
      // The URL travels in workflow inputs and summaries; credentials belong in the signature.
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_URLS must not carry user:password@ credentials (receivers verify"
              + " the signature instead): "
              + uri.getScheme()
              + "://"
              + uri.getHost()
              + "/...");
    }
    if (uri.getRawFragment() != null) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_URLS has a URL with a #fragment: " + safe(text));
    }
    return uri;
  }

  /** The URL as far as the host: a path or query may hold a token. */
  private static String safe(String text) {
    String oneLine = text.replaceAll("[\\p{Cntrl}\\s]+", " ");
    int at = oneLine.indexOf('@');
    if (at >= 0) {
      oneLine = "..." + oneLine.substring(at);
    }
    return oneLine.length() > 80 ? oneLine.substring(0, 80) + "..." : oneLine;
  }

  private static void checkSecret(String secret) {
    if (!secret.startsWith(SECRET_PREFIX)) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_SECRET must start with whsec_ followed by base64 (the Standard"
              + " Webhooks format)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_SECRET is not valid base64 after whsec_ (standard alphabet, with"
              + " padding)");
    }
    if (key.length < MIN_SECRET_BYTES) {
      throw new ConfigException(
          "ACTIVATION_WEBHOOK_SECRET is too short: "
              + key.length
              + " bytes, at least "
              + MIN_SECRET_BYTES
              + " are needed (e.g. whsec_ + `openssl rand -base64 32`)");
    }
  }

  public boolean enabled() {
    return !urls.isEmpty();
  }

  /** The signing key: the bytes the base64 after {@code whsec_} stands for. */
  public byte[] key() {
    if (secret == null) {
      throw new IllegalStateException("no ACTIVATION_WEBHOOK_SECRET configured");
    }
    return Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
  }

  /** What the workflow records: the URLs and the budget, never the secret. */
  public WebhookTargets targets() {
    return WebhookTargets.of(urls.stream().map(URI::toString).toList(), retryBudget);
  }

  /** The secret as written and its base64 part, for log redaction. */
  public List<String> secrets() {
    return secret == null ? List.of() : List.of(secret, secret.substring(SECRET_PREFIX.length()));
  }

  @Override
  public String toString() {
    return "webhooks="
        + urls.stream().map(u -> WebhookTargets.host(u.toString())).toList()
        + ", webhookSecret="
        + (secret == null ? "none" : "***")
        + ", webhookRetryBudget="
        + retryBudget;
  }
}
