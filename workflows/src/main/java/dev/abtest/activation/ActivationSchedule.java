package dev.abtest.activation;

import java.time.Instant;

/**
 * A pending scheduled activation: when the run will activate the experiment, and who asked for that
 * time. The {@code schedule} query answers it (null when nothing is pending) and the {@code
 * schedule} update returns it.
 */
public record ActivationSchedule(Instant activateAt, String scheduledBy) {}
