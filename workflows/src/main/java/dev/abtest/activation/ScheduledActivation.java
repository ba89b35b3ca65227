package dev.abtest.activation;

import java.time.Instant;

/** One pending schedule as the schedules list shows it. */
public record ScheduledActivation(
    String experimentId, Instant activateAt, String scheduledBy, String workflowId) {}
