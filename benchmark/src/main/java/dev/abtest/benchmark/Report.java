package dev.abtest.benchmark;

import dev.abtest.benchmark.Benchmark.Measured;
import dev.abtest.benchmark.Benchmark.Path;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link RunResult} as Markdown: the file BENCHMARKS.md and the table printed at the end.
 */
final class Report {
  private Report() {}

  static String markdown(RunResult r) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks\n\n");
    md.append("Written by `java -jar benchmark/target/benchmark.jar")
        .append(r.quick() ? " --quick" : "")
        .append("` on ")
        .append(r.startedAt())
        .append(" (run took ")
        .append(r.took().toSeconds())
        .append(" s). Numbers are from this one run; rerun the command to reproduce.\n\n");

    md.append("## Machine\n\n");
    md.append("- CPUs (`nproc`): ").append(r.machine().cpus()).append('\n');
    md.append("- CPU model: ").append(r.machine().cpuModel()).append('\n');
    md.append("- Memory: ").append(r.machine().memory()).append('\n');
    md.append("- JVM: ").append(r.machine().jvm()).append('\n');
    md.append("- OS: ").append(r.machine().os()).append('\n');
    md.append("- Load average (1 / 5 / 15 min) at start: ")
        .append(r.loadBefore())
        .append("; at end: ")
        .append(r.loadAfter())
        .append(" (anything well above 0 means other processes shared the CPUs with this run)\n\n");

    md.append("## Setup\n\n");
    md.append(
            "One process on this machine: the Temporal Java test server (in memory) on 127.0.0.1, an"
                + " embedded PostgreSQL 17 with its default durability (fsync on, synchronous_commit on,"
                + " full_page_writes on: every commit waits for the disk), the worker's real workflow and"
                + " activities, the real HTTP starter on loopback, and the load generator. Every scenario"
                + " activates ")
        .append(r.experiments())
        .append(
            " experiments seeded fresh for it (PENDING, valid configuration); a closed loop of N"
                + " client threads, each sending its next request when the previous one answered."
                + " Before measuring, every path ran once on ")
        .append(r.warmUp())
        .append(
            " experiments (not counted). Stack start (PostgreSQL, migrations, Temporal, worker,"
                + " starter): ")
        .append(r.stackStart().toMillis())
        .append(" ms.\n\nWorker and pool settings of this run:\n\n");
    for (String line : r.tuning().describe()) {
      md.append("- ").append(line).append('\n');
    }
    md.append("- TCP_NODELAY on the JDK HTTP servers (`sun.net.httpserver.nodelay`): ")
        .append(r.httpNoDelay())
        .append('\n');
    md.append('\n');

    md.append("## Throughput and latency\n\n");
    md.append(
        "| path | concurrency | activations/s | p50 ms | p95 ms | p99 ms | JVM CPU ms/op | checks"
            + " |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Path path : Path.values()) {
      for (var entry : r.byConcurrency().entrySet()) {
        Measured m = entry.getValue().get(path);
        Summary s = m.summary();
        md.append("| ")
            .append(path.label)
            .append(" | ")
            .append(entry.getKey())
            .append(" | ")
            .append(f1(s.throughput()))
            .append(" | ")
            .append(f2(s.p50Millis()))
            .append(" | ")
            .append(f2(s.p95Millis()))
            .append(" | ")
            .append(f2(s.p99Millis()))
            .append(" | ")
            .append(f2(s.cpuMillisPerOp()))
            .append(" | ")
            .append(
                m.failedChecks().isEmpty()
                    ? "ok"
                    : "FAILED: " + String.join("; ", m.failedChecks()))
            .append(" |\n");
      }
    }
    md.append('\n');

    md.append("## Ratios\n\n");
    md.append(
        "- activation / ceiling: throughput of the real activation over the same workflow with"
            + " canned activities, the better of its two measurements (goal ≥ 0.90).\n"
            + "- database activity / floor: mean time inside ActivationStoreActivitiesImpl during the"
            + " client scenario over the mean time of the bare conditional UPDATE + audit INSERT"
            + " (ActivationStore, same pool, no Temporal) at the same concurrency (goal ≤ 1.5).\n"
            + "- HTTP / original: our HTTP route against the original design (read, then"
            + " unconditional update, no engine) served by the JDK HTTP server in this process.\n\n");
    md.append(
        "| concurrency | client / ceiling (throughput) | HTTP / ceiling (throughput) | DB activity"
            + " mean / floor mean | DB activity p50 / floor p50 | DB activity mean ms | floor mean"
            + " ms | HTTP / original (throughput) | HTTP / original (p50) | HTTP / original (p99) |\n");
    md.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (var entry : r.byConcurrency().entrySet()) {
      Map<Path, Measured> at = entry.getValue();
      Summary ceiling = Benchmark.ceiling(at);
      Summary client = at.get(Path.CLIENT).summary();
      Summary http = at.get(Path.HTTP).summary();
      // The statement's own time, as measured around the call (the same way as the activity).
      Summary floor =
          at.get(Path.FLOOR).storeActivity() != null
              ? at.get(Path.FLOOR).storeActivity()
              : at.get(Path.FLOOR).summary();
      Summary original = at.get(Path.ORIGINAL).summary();
      Summary activity = at.get(Path.CLIENT).storeActivity();
      md.append("| ")
          .append(entry.getKey())
          .append(" | ")
          .append(f2(client.throughput() / ceiling.throughput()))
          .append(" | ")
          .append(f2(http.throughput() / ceiling.throughput()))
          .append(" | ")
          .append(f2(activity.meanMillis() / floor.meanMillis()))
          .append(" | ")
          .append(f2(activity.p50Millis() / floor.p50Millis()))
          .append(" | ")
          .append(f2(activity.meanMillis()))
          .append(" | ")
          .append(f2(floor.meanMillis()))
          .append(" | ")
          .append(f2(http.throughput() / original.throughput()))
          .append(" | ")
          .append(f2(http.p50Millis() / original.p50Millis()))
          .append(" | ")
          .append(f2(http.p99Millis() / original.p99Millis()))
          .append(" |\n");
    }
    md.append('\n');

    md.append("## Goals in this run\n\n");
    md.append(
        "| concurrency | activation ≥ 0.90 × ceiling (client) | DB activity ≤ 1.5 × floor (mean) |\n");
    md.append("| ---: | --- | --- |\n");
    for (var entry : r.byConcurrency().entrySet()) {
      Map<Path, Measured> at = entry.getValue();
      double ratio =
          at.get(Path.CLIENT).summary().throughput() / Benchmark.ceiling(at).throughput();
      Summary floor =
          at.get(Path.FLOOR).storeActivity() != null
              ? at.get(Path.FLOOR).storeActivity()
              : at.get(Path.FLOOR).summary();
      double db = at.get(Path.CLIENT).storeActivity().meanMillis() / floor.meanMillis();
      md.append("| ")
          .append(entry.getKey())
          .append(" | ")
          .append(ratio >= 0.9 ? "reached (" : "not reached (")
          .append(f2(ratio))
          .append(") | ")
          .append(db <= 1.5 ? "reached (" : "not reached (")
          .append(f2(db))
          .append(") |\n");
    }
    md.append('\n');

    md.append("## Dedup storm\n\n");
    md.append(
            "Simultaneous HTTP requests to activate one fresh experiment (one client thread each,"
                + " released together). Runs started counts the workflow runs that executed; a request"
                + " that reaches Temporal after the first run closed starts a new run (the contract's"
                + " ALLOW_DUPLICATE reuse policy), which finds the experiment ACTIVE and answers 409"
                + " without writing. In the second row another transaction holds the row until 2 s"
                + " after the last request was sent, so the first run waits inside its conditional"
                + " UPDATE meanwhile; every request the starter is serving then joins that run. The"
                + " starter serves HTTP_THREADS requests at a time (")
        .append(r.tuning().httpThreads())
        .append(
            " here): the others wait in its queue and reach Temporal only after the run closed."
                + " Transitions must be 1 in every row.\n\n");
    md.append(
        "| storm | requests | runs started | transitions (must be 1) | p50 ms | p99 ms | answers"
            + " |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (Benchmark.Storm storm : r.storms()) {
      md.append("| ")
          .append(storm.variant())
          .append(" | ")
          .append(storm.summary().count())
          .append(" | ")
          .append(storm.runsStarted())
          .append(" | ")
          .append(storm.transitions())
          .append(" | ")
          .append(f2(storm.summary().p50Millis()))
          .append(" | ")
          .append(f2(storm.summary().p99Millis()))
          .append(" | ")
          .append(storm.summary().outcomes())
          .append(" |\n");
    }
    md.append('\n');

    md.append("## Memory and start\n\n");
    RunResult.Memory jvm = r.benchmarkJvm();
    md.append("| process | start to ready | peak RSS (VmHWM) | RSS | heap used / committed |\n");
    md.append("| --- | ---: | ---: | ---: | ---: |\n");
    md.append("| benchmark JVM (test server + worker + starter + load generator) | ")
        .append(r.stackStart().toMillis())
        .append(" ms (whole stack) | ")
        .append(jvm.peakRssMib())
        .append(" MiB | ")
        .append(jvm.rssMib())
        .append(" MiB | ")
        .append(jvm.heapUsedMib())
        .append(" / ")
        .append(jvm.heapCommittedMib())
        .append(" MiB |\n");
    RunResult.WorkerStats worker = r.workerProcess();
    if (worker != null) {
      md.append(
              "| worker process (`java -jar worker/target/worker.jar`, default JVM flags), after ")
          .append(worker.activations())
          .append(" activations | ")
          .append(worker.startToReady().toMillis())
          .append(" ms (exec to /readyz 200) | ")
          .append(worker.peakRssMib())
          .append(" MiB | ")
          .append(worker.rssMib())
          .append(" MiB | n/a |\n");
    }
    if (r.workerProcessNote() != null) {
      md.append("\n").append(r.workerProcessNote()).append('\n');
    }
    md.append('\n');

    String analysis = resource("/analysis.md");
    if (analysis != null) {
      md.append(analysis.strip()).append('\n');
    }
    return md.toString();
  }

  private static String resource(String name) {
    try (InputStream in = Report.class.getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  static String f1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String f2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
