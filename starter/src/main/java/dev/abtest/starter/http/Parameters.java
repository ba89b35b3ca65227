package dev.abtest.starter.http;

import dev.abtest.activation.ExperimentId;

/** The caller-supplied values several routes parse alike, each refused as a 400 naming it. */
final class Parameters {
  private Parameters() {}

  /** The contract's id rule, applied once for a path segment, a query value or a body field. */
  static ExperimentId experimentId(String raw) {
    try {
      return ExperimentId.parse(raw);
    } catch (ExperimentId.Invalid invalid) {
      throw ApiError.invalid("experimentId", invalid.problem());
    }
  }

  /** A page size: {@code defaultLimit} when absent, else a whole number in 1..maxLimit. */
  static int limit(String raw, int defaultLimit, int maxLimit) {
    if (raw == null || raw.isEmpty()) {
      return defaultLimit;
    }
    try {
      int limit = Integer.parseInt(raw);
      if (limit >= 1 && limit <= maxLimit) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ApiError.invalid("limit", "limit must be a whole number from 1 to " + maxLimit);
  }
}
