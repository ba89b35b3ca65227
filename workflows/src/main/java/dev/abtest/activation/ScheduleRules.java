package dev.abtest.activation;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The bounds of a scheduled activation, in one place for the HTTP edge, the CLI and the workflow's
 * update validator: a time up to {@link #PAST_TOLERANCE} ago counts as now (clocks differ a
 * little), anything earlier or more than {@link #MAX_AHEAD} ahead is refused.
 */
public final class ScheduleRules {
  /** A time this far in the past is still an immediate activation; earlier is a mistake. */
  public static final Duration PAST_TOLERANCE = Duration.ofSeconds(60);

  /** The farthest a schedule may be set ahead. */
  public static final Duration MAX_AHEAD = Duration.ofDays(366);

  private ScheduleRules() {}

  /** What is wrong with {@code activateAt} as of {@code now}, or empty when it is acceptable. */
  public static Optional<String> problem(Instant activateAt, Instant now) {
    if (activateAt == null) {
      return Optional.of("activateAt is required");
    }
    if (activateAt.isBefore(now.minus(PAST_TOLERANCE))) {
      return Optional.of(
          "activateAt is more than "
              + PAST_TOLERANCE.toSeconds()
              + " s in the past; omit it to activate now");
    }
    if (activateAt.isAfter(now.plus(MAX_AHEAD))) {
      return Optional.of("activateAt is more than " + MAX_AHEAD.toDays() + " days ahead");
    }
    return Optional.empty();
  }

  /**
   * The violation of a schedule that would activate the experiment at or after its {@code endDate}
   * (it would be active but never served), or empty.
   */
  public static Optional<Violation> endDateViolation(Instant activateAt, Instant endDate) {
    if (endDate == null || activateAt.isBefore(endDate)) {
      return Optional.empty();
    }
    return Optional.of(
        new Violation(
            ViolationCode.ACTIVATE_AT_NOT_BEFORE_END_DATE,
            "activateAt " + activateAt + " is not before the experiment's endDate " + endDate));
  }

  /** True when {@code activateAt} asks for a later activation rather than an immediate one. */
  public static boolean isLater(Instant activateAt, Instant now) {
    return activateAt != null && activateAt.isAfter(now);
  }
}
