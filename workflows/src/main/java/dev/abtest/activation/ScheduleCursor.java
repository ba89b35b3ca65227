package dev.abtest.activation;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a page of pending schedules ended: the last (activateAt, experimentId) it listed. Encoded
 * as an opaque URL-safe token for the {@code cursor} parameter.
 */
public record ScheduleCursor(Instant activateAt, String experimentId) {

  public ScheduleCursor {
    Objects.requireNonNull(activateAt, "activateAt");
    Objects.requireNonNull(experimentId, "experimentId");
  }

  /** True when {@code entry} sorts after this cursor (soonest first, then by experiment id). */
  boolean isBefore(ScheduledActivation entry) {
    int byTime = entry.activateAt().compareTo(activateAt);
    return byTime > 0 || (byTime == 0 && entry.experimentId().compareTo(experimentId) > 0);
  }

  public String encode() {
    String plain = activateAt.toEpochMilli() + ":" + experimentId;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }

  /** The cursor a token stands for, or empty when the token is not one this class made. */
  public static Optional<ScheduleCursor> decode(String token) {
    if (token == null || token.isEmpty() || token.length() > 1024) {
      return Optional.empty();
    }
    try {
      String plain = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      int colon = plain.indexOf(':');
      if (colon <= 0) {
        return Optional.empty();
      }
      long millis = Long.parseLong(plain.substring(0, colon));
      String id = plain.substring(colon + 1);
      if (!ExperimentId.tryParse(id).map(ExperimentId::value).filter(id::equals).isPresent()) {
        return Optional.empty();
      }
      return Optional.of(new ScheduleCursor(Instant.ofEpochMilli(millis), id));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
