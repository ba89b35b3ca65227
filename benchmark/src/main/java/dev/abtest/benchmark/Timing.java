package dev.abtest.benchmark;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records durations from many threads into a fixed array; {@link #reset} starts a new scenario.
 * Sized for the largest scenario; further samples are counted but not kept.
 */
final class Timing {
  private final long[] samples;
  private final AtomicInteger next = new AtomicInteger();

  Timing(int capacity) {
    this.samples = new long[capacity];
  }

  void record(long nanos) {
    int i = next.getAndIncrement();
    if (i < samples.length) {
      samples[i] = nanos;
    }
  }

  void reset() {
    next.set(0);
  }

  int count() {
    return next.get();
  }

  long[] snapshot() {
    return Arrays.copyOf(samples, Math.min(next.get(), samples.length));
  }
}
