package dev.abtest.activation;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A row of the Prisma {@code "ABTest"} table, with the original field names so that it serializes
 * to the JSON the original route returned. Timestamps are UTC instants with millisecond precision.
 */
public record Experiment(
    String id,
    String name,
    String description,
    Instant startDate,
    Instant endDate,
    ExperimentStatus status,
    JsonNode configuration,
    Instant createdAt,
    Instant updatedAt) {}
