package dev.abtest.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Everything one run measured, for the report. */
record RunResult(
    MachineInfo machine,
    String loadBefore,
    String loadAfter,
    Instant startedAt,
    Duration took,
    boolean quick,
    int experiments,
    int warmUp,
    Tuning tuning,
    boolean httpNoDelay,
    Duration stackStart,
    Map<Integer, Map<Benchmark.Path, Benchmark.Measured>> byConcurrency,
    List<Benchmark.Storm> storms,
    Memory benchmarkJvm,
    WorkerStats workerProcess,
    String workerProcessNote) {

  /** Memory of a JVM: peak and current resident set (from /proc), heap after the run. */
  record Memory(long peakRssMib, long rssMib, long heapUsedMib, long heapCommittedMib) {}

  /** The real worker process: exec-to-ready time, memory after its load, what the load was. */
  record WorkerStats(
      Duration startToReady, long peakRssMib, long rssMib, int activations, Summary load) {}
}
