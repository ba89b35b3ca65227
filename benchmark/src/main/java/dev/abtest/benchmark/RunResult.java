package dev.abtest.benchmark;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    int roundCount,
    int warmUp,
    Tuning tuning,
    boolean httpNoDelay,
    Map<String, EngineInfo> engines,
    Map<String, Map<Integer, Map<Benchmark.Path, List<Benchmark.Measured>>>> rounds,
    Map<Integer, Map<Benchmark.Path, Benchmark.Measured>> plain,
    Map<String, List<Benchmark.Storm>> storms,
    Memory benchmarkJvm,
    WorkerStats workerProcess,
    String workerProcessNote) {

  /** One engine of the run: its key (dev, test), what it is, how long its stack took to start. */
  record EngineInfo(String key, String description, Duration stackStart, String metricsUri) {}

  /** Memory of a JVM: peak and current resident set (from /proc), heap after the run. */
  record Memory(long peakRssMib, long rssMib, long heapUsedMib, long heapCommittedMib) {}

  /**
   * The real worker process on one engine: exec-to-ready time, memory after its load, the load, and
   * the CPU nanoseconds of the worker process and of the engine's process during it (-1: unknown).
   */
  record WorkerStats(
      String engine,
      Duration startToReady,
      long peakRssMib,
      long rssMib,
      int activations,
      Summary load,
      long workerCpuNanos,
      long serverCpuNanos) {}

  /** Every failed correctness check of the run, one line each; empty when all passed. */
  List<String> failedChecks() {
    List<String> failed = new ArrayList<>();
    rounds.forEach(
        (engine, byC) ->
            byC.forEach(
                (c, byPath) ->
                    byPath.forEach(
                        (path, list) ->
                            list.forEach(
                                m ->
                                    m.failedChecks()
                                        .forEach(
                                            f ->
                                                failed.add(
                                                    engine + " c=" + c + " " + path + ": "
                                                        + f))))));
    plain.forEach(
        (c, byPath) ->
            byPath.forEach(
                (path, m) ->
                    m.failedChecks().forEach(f -> failed.add("c=" + c + " " + path + ": " + f))));
    storms.forEach(
        (engine, list) ->
            list.forEach(
                s -> {
                  if (s.transitions() != 1) {
                    failed.add(
                        engine + " storm " + s.variant() + ": " + s.transitions() + " transitions");
                  }
                }));
    return failed;
  }
}
