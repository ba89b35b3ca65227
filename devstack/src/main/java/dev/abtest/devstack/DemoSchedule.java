package dev.abtest.devstack;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationSchedule;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The demo's pending schedule: {@code exp_scheduled} set to activate a few minutes after the dev
 * stack starts, so a newcomer sees a waiting run (and its timer) in the Web UI. Idempotent: a
 * schedule already pending (kept by the dev server across restarts) is left as it is.
 */
final class DemoSchedule {
  static final String EXPERIMENT_ID = "exp_scheduled";
  static final Duration AHEAD = Duration.ofMinutes(5);
  static final String SCHEDULED_BY = "devstack-demo";

  private DemoSchedule() {}

  /** The demo's pending schedule; {@code kept} when it was already pending before this start. */
  record Pending(ActivationSchedule schedule, boolean kept) {}

  /**
   * The pending schedule after this call: the one kept from the last run, a new one, or empty when
   * the demo row can no longer be scheduled (already activated in an earlier session).
   */
  static Optional<Pending> ensure(ActivationClient activations, Instant now) {
    Optional<ActivationSchedule> kept = activations.pendingSchedule(EXPERIMENT_ID);
    if (kept.isPresent()) {
      return Optional.of(new Pending(kept.get(), true));
    }
    Instant at = now.plus(AHEAD).truncatedTo(ChronoUnit.SECONDS);
    ActivationClient.ScheduleAnswer answer =
        activations.schedule(EXPERIMENT_ID, at, SCHEDULED_BY, Duration.ofSeconds(30));
    return Optional.ofNullable(answer.schedule()).map(schedule -> new Pending(schedule, false));
  }
}
