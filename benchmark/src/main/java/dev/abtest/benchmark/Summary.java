package dev.abtest.benchmark;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one scenario measured: how many operations, how long the whole run took, the latency
 * percentiles of the operations, and how many ended with each outcome (e.g. {@code ACTIVATED},
 * {@code HTTP 200}, {@code error: ...}).
 */
public record Summary(
    int count,
    int concurrency,
    long wallNanos,
    double p50Millis,
    double p95Millis,
    double p99Millis,
    double meanMillis,
    Map<String, Long> outcomes) {

  public Summary {
    outcomes = Map.copyOf(new TreeMap<>(outcomes));
  }

  static Summary of(
      int concurrency, long wallNanos, long[] latencyNanos, Map<String, Long> outcomes) {
    long[] sorted = latencyNanos.clone();
    Arrays.sort(sorted);
    double mean = Arrays.stream(sorted).average().orElse(0) / 1e6;
    return new Summary(
        sorted.length,
        concurrency,
        wallNanos,
        percentile(sorted, 0.50),
        percentile(sorted, 0.95),
        percentile(sorted, 0.99),
        mean,
        outcomes);
  }

  /** Nearest-rank percentile, in milliseconds. */
  static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
  }

  /** Operations completed per second of wall time. */
  public double throughput() {
    return wallNanos == 0 ? 0 : count / (wallNanos / 1e9);
  }

  public long outcome(String name) {
    return outcomes.getOrDefault(name, 0L);
  }

  /** Operations whose outcome is not {@code expected}. */
  public long unexpected(String expected) {
    return count - outcome(expected);
  }
}
