package dev.abtest.benchmark;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs {@code count} operations from {@code concurrency} threads, each thread taking the next index
 * as soon as its previous operation returned (a closed loop), and records each operation's latency.
 */
final class Load {
  /** One operation: does the work for index {@code i} and names its outcome. */
  @FunctionalInterface
  interface Op {
    String run(int i) throws Exception;
  }

  private Load() {}

  /** CPU time of every thread of this JVM so far, or 0 where the JVM does not say. */
  static long processCpuNanos() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  static Summary run(int count, int concurrency, Op op) throws InterruptedException {
    long[] latencies = new long[count];
    Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    CountDownLatch ready = new CountDownLatch(concurrency);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < concurrency; t++) {
      Thread thread =
          new Thread(
              () -> {
                ready.countDown();
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                  long t0 = System.nanoTime();
                  String outcome;
                  try {
                    outcome = op.run(i);
                  } catch (Exception e) {
                    outcome = "error: " + e.getClass().getSimpleName();
                  }
                  latencies[i] = System.nanoTime() - t0;
                  outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
                }
                ThreadRoles.ending(ThreadRoles.LOAD);
              },
              "load-" + t);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
    ready.await();
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    long wall = System.nanoTime() - start;
    long cpu = processCpuNanos() - cpuStart;
    Map<String, Long> counted = new ConcurrentHashMap<>();
    outcomes.forEach((k, v) -> counted.put(k, v.sum()));
    return Summary.of(concurrency, wall, cpu, latencies, counted);
  }
}
