package dev.abtest.activation;

import java.time.Instant;

/**
 * Input of the {@code schedule} update: activate at {@code activateAt}, asked by {@code
 * requestedBy}.
 */
public record ScheduleRequest(Instant activateAt, String requestedBy) {}
