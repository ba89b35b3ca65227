package dev.abtest.starter.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ScheduleRules;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The optional {@code activateAt} of the activation body: an RFC 3339 date-time with seconds and a
 * {@code Z} or numeric offset, strictly parsed, within {@link ScheduleRules}. Every problem is a
 * 400 whose details name {@code activateAt}.
 */
public final class ActivateAtParser {
  public static final String FIELD = "activateAt";

  /** RFC 3339's date-time production (seconds required, fraction optional, an offset required). */
  private static final Pattern RFC_3339 =
      Pattern.compile(
          "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})");

  private static final int MAX_LENGTH = 64;

  private ActivateAtParser() {}

  /**
   * The later time the body asks for, or empty for an immediate activation ({@code activateAt}
   * absent, null, now, or within {@link ScheduleRules#PAST_TOLERANCE} ago).
   */
  public static Optional<Instant> laterTime(JsonNode body, Instant now) {
    JsonNode node = body.get(FIELD);
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (!node.isTextual()) {
      throw invalid(
          "activateAt must be an RFC 3339 date-time string such as \"2026-12-10T09:00:00Z\", got "
              + node.getNodeType().name().toLowerCase());
    }
    Instant at = parse(node.textValue());
    ScheduleRules.problem(at, now)
        .ifPresent(
            problem -> {
              throw invalid(problem);
            });
    return ScheduleRules.isLater(at, now) ? Optional.of(at) : Optional.empty();
  }

  /** Parses one RFC 3339 date-time with an offset, to the millisecond; a 400 otherwise. */
  public static Instant parse(String text) {
    if (text.length() > MAX_LENGTH || !RFC_3339.matcher(text).matches()) {
      throw invalid(
          "activateAt must be an RFC 3339 date-time with seconds and an offset, such as"
              + " \"2026-12-10T09:00:00Z\" or \"2026-12-10T10:00:00+01:00\"");
    }
    try {
      return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME)
          .toInstant()
          .truncatedTo(ChronoUnit.MILLIS);
    } catch (DateTimeParseException e) {
      throw invalid("activateAt is not a valid date-time (out-of-range field)");
    }
  }

  private static ApiError invalid(String problem) {
    return ApiError.invalid(FIELD, problem);
  }
}
