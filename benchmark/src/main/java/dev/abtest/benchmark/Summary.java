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
    long cpuNanos,
    Map<String, Long> outcomes,
    String histogram) {

  public Summary {
    outcomes = Map.copyOf(new TreeMap<>(outcomes));
  }

  static Summary of(
      int concurrency, long wallNanos, long[] latencyNanos, Map<String, Long> outcomes) {
    return of(concurrency, wallNanos, 0, latencyNanos, outcomes);
  }

  static Summary of(
      int concurrency,
      long wallNanos,
      long cpuNanos,
      long[] latencyNanos,
      Map<String, Long> outcomes) {
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
        cpuNanos,
        outcomes,
        histogram(sorted));
  }

  private static final long[] BUCKETS_MS = {10, 25, 50, 100, 250, 500, 1000, 2000, 3000, 5000};

  /**
   * How many latencies fall under each bucket bound, e.g. {@code <=50ms:12 <=100ms:3 >5000ms:1}.
   */
  static String histogram(long[] sorted) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    for (long bound : BUCKETS_MS) {
      int n = 0;
      while (i < sorted.length && sorted[i] <= bound * 1_000_000) {
        i++;
        n++;
      }
      if (n > 0) {
        out.append(out.length() == 0 ? "" : " ").append("<=").append(bound).append("ms:").append(n);
      }
    }
    if (i < sorted.length) {
      out.append(out.length() == 0 ? "" : " ").append(">5000ms:").append(sorted.length - i);
    }
    return out.toString();
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

  /** CPU time this JVM (all its threads) spent per operation during the run, in milliseconds. */
  public double cpuMillisPerOp() {
    return count == 0 ? 0 : cpuNanos / 1e6 / count;
  }

  public long outcome(String name) {
    return outcomes.getOrDefault(name, 0L);
  }

  /** Operations whose outcome is not {@code expected}. */
  public long unexpected(String expected) {
    return count - outcome(expected);
  }
}
