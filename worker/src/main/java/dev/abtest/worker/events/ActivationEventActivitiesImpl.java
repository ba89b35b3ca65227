package dev.abtest.worker.events;

import dev.abtest.activation.events.ActivationEventActivities;
import dev.abtest.activation.events.ActivationEventBody;
import dev.abtest.activation.events.DeliveryResult;
import dev.abtest.activation.events.EventDelivery;
import io.temporal.activity.Activity;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One signed POST per attempt, 10 s at most, no redirects followed, response body ignored. A 2xx
 * answer returns; anything else throws a retryable failure, and Temporal retries the attempt with
 * backoff until the delivery's budget runs out. One log line per attempt, without body or secret.
 */
public final class ActivationEventActivitiesImpl implements ActivationEventActivities {
  public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  /** Failure type of an attempt that did not get a 2xx. */
  public static final String ATTEMPT_FAILED = "ActivationEventAttemptFailed";

  private static final Logger log = LoggerFactory.getLogger(ActivationEventActivitiesImpl.class);

  private final WebhookSigner signer;
  private final HttpClient http;
  private final Clock clock;

  public ActivationEventActivitiesImpl(WebhookSigner signer, Clock clock) {
    this.signer = signer;
    this.clock = clock;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(ATTEMPT_TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  @Override
  public DeliveryResult post(EventDelivery delivery) {
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    String id = delivery.event().id();
    String host = delivery.host();
    String body = ActivationEventBody.json(delivery.event());
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(delivery.url()))
            .timeout(ATTEMPT_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("User-Agent", "experiment-activation-worker")
            .header("webhook-id", id)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", signer.sign(id, timestamp, body))
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build();
    String outcome;
    try {
      HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
      int status = response.statusCode();
      if (status >= 200 && status < 300) {
        log.info(
            "Activation event {} ({}) to {}: attempt {}, HTTP {}",
            id,
            delivery.event().type().wireName(),
            host,
            attempt,
            status);
        return new DeliveryResult(id, host, status, attempt);
      }
      outcome = "HTTP " + status;
      logFailure(id, delivery, host, attempt, outcome);
    } catch (HttpTimeoutException e) {
      outcome = "no answer within " + ATTEMPT_TIMEOUT.toSeconds() + "s";
      logFailure(id, delivery, host, attempt, outcome);
    } catch (ConnectException e) {
      outcome = "connection refused";
      logFailure(id, delivery, host, attempt, outcome);
    } catch (IOException e) {
      outcome = "I/O error: " + e.getClass().getSimpleName();
      logFailure(id, delivery, host, attempt, outcome);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ApplicationFailure.newFailure("interrupted while posting to " + host, ATTEMPT_FAILED);
    }
    throw ApplicationFailure.newFailure(
        "attempt " + attempt + " to " + host + ": " + outcome, ATTEMPT_FAILED);
  }

  private static void logFailure(
      String id, EventDelivery delivery, String host, int attempt, String outcome) {
    log.warn(
        "Activation event {} ({}) to {}: attempt {}, {}",
        id,
        delivery.event().type().wireName(),
        host,
        attempt,
        outcome);
  }
}
