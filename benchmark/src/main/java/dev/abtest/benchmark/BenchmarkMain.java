package dev.abtest.benchmark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.abtest.activation.ActivationClient;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar benchmark/target/benchmark.jar [--quick] [--out=BENCHMARKS.md] [--knob=value]}:
 * runs every scenario once in this process and writes the Markdown report. Exits 1 when a
 * correctness check failed (a lost or doubled activation), so it can guard CI too.
 */
public final class BenchmarkMain {
  static final int[] CONCURRENCIES = {1, 8, 64};
  static final String WORKER_PROCESS_QUEUE = "benchmark-worker-process";

  private BenchmarkMain() {}

  /** Parsed command line. */
  record Options(
      boolean quick,
      int experiments,
      int stormSize,
      Path out,
      Path directory,
      Path workerJar,
      boolean workerProcess,
      int[] concurrencies,
      boolean httpNoDelay,
      Tuning tuning) {

    static Options parse(String... args) {
      boolean quick = false;
      Integer experiments = null;
      Integer storm = null;
      Path out = Path.of("BENCHMARKS.md");
      Path directory = Path.of("target", "benchmark-postgres");
      Path workerJar = Path.of("worker", "target", "worker.jar");
      boolean workerProcess = true;
      int[] concurrencies = CONCURRENCIES;
      boolean httpNoDelay = true;
      Tuning tuning = Tuning.recommended();
      for (String arg : args) {
        String name = arg.contains("=") ? arg.substring(2, arg.indexOf('=')) : arg.substring(2);
        String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : "";
        if (!arg.startsWith("--")) {
          throw new IllegalArgumentException("unexpected argument " + arg);
        }
        switch (name) {
          case "quick" -> quick = true;
          case "experiments" -> experiments = Integer.parseInt(value);
          case "storm" -> storm = Integer.parseInt(value);
          case "out" -> out = Path.of(value);
          case "dir" -> directory = Path.of(value);
          case "worker-jar" -> workerJar = Path.of(value);
          case "no-worker-process" -> workerProcess = false;
          case "http-nodelay" -> httpNoDelay = !"false".equals(value);
          case "concurrency" ->
              concurrencies =
                  java.util.Arrays.stream(value.split(",")).mapToInt(Integer::parseInt).toArray();
          case "worker-defaults" -> tuning = Tuning.workerDefaults();
          default -> tuning = tuning.with(name, Integer.parseInt(value));
        }
      }
      return new Options(
          quick,
          experiments != null ? experiments : quick ? 100 : 1000,
          storm != null ? storm : quick ? 200 : 1000,
          out,
          directory,
          workerJar,
          workerProcess,
          concurrencies,
          httpNoDelay,
          tuning);
    }
  }

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.err.println("benchmark: " + e.getMessage());
      System.err.println(
          "usage: java -jar benchmark.jar [--quick] [--experiments=N] [--storm=N] [--out=FILE]"
              + " [--concurrency=1,8,64] [--dir=DIR] [--worker-jar=JAR] [--no-worker-process] [--worker-defaults]"
              + " [--pool-size=N] [--workflow-pollers=N] [--activity-pollers=N]"
              + " [--workflow-slots=N] [--activity-slots=N] [--workflow-cache=N] [--http-threads=N]");
      System.exit(2);
      return;
    }
    quietLogs();
    RunResult result = run(options);
    String markdown = Report.markdown(result);
    Files.writeString(options.out(), markdown, StandardCharsets.UTF_8);
    System.out.println(markdown);
    System.out.println("benchmark: wrote " + options.out().toAbsolutePath());
    boolean failed =
        result.byConcurrency().values().stream()
                .flatMap(m -> m.values().stream())
                .anyMatch(m -> !m.failedChecks().isEmpty())
            || result.storms().stream().anyMatch(s -> s.transitions() != 1);
    if (failed) {
      System.out.println("benchmark: CHECKS FAILED (see the checks column)");
    }
    System.exit(failed ? 1 : 0);
  }

  static RunResult run(Options options) throws Exception {
    // The JDK HTTP server (starter and original route) writes a response's headers and body
    // separately; without TCP_NODELAY, Nagle's algorithm holds the body until the client's delayed
    // ACK (40 ms on Linux). Read once, when the first server starts.
    System.setProperty("sun.net.httpserver.nodelay", Boolean.toString(options.httpNoDelay()));
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String loadBefore = MachineInfo.loadAverage();
    long t0 = System.nanoTime();
    // As many as a scenario, so the JIT settles before anything is measured; the quick mode, a
    // smoke test, keeps it short.
    int warmUp = options.quick() ? 20 : options.experiments();
    progress("starting the stack in " + options.directory().toAbsolutePath());
    long s0 = System.nanoTime();
    try (BenchStack stack =
        BenchStack.start(
            options.directory(),
            options.tuning(),
            Math.max(options.experiments(), options.stormSize()) * 2)) {
      Duration stackStart = Duration.ofNanos(System.nanoTime() - s0);
      Benchmark bench = new Benchmark(stack, options.experiments());
      progress("warming up on " + warmUp + " experiments per path");
      bench.warmUp(warmUp);
      Map<Integer, Map<Benchmark.Path, Benchmark.Measured>> byConcurrency = new LinkedHashMap<>();
      for (int concurrency : options.concurrencies()) {
        progress("concurrency " + concurrency + ": " + options.experiments() + " per path");
        Map<Benchmark.Path, Benchmark.Measured> at = bench.atConcurrency(concurrency);
        at.values()
            .forEach(
                m ->
                    progress(
                        String.format(
                            "  %-9s %8.1f/s p50 %7.2f ms p99 %7.2f ms %s [%s]",
                            m.path(),
                            m.summary().throughput(),
                            m.summary().p50Millis(),
                            m.summary().p99Millis(),
                            m.failedChecks().isEmpty() ? "ok" : m.failedChecks(),
                            m.summary().histogram())));
        byConcurrency.put(concurrency, at);
      }
      progress("dedup storm: " + options.stormSize() + " concurrent requests");
      List<Benchmark.Storm> storms =
          List.of(
              bench.dedupStorm(options.stormSize()),
              bench.dedupStormDuringWrite(options.stormSize()));
      storms.forEach(
          s ->
              progress(
                  String.format(
                      "  storm %s: runs %d, transitions %d, p99 %.2f ms, %s",
                      s.variant(),
                      s.runsStarted(),
                      s.transitions(),
                      s.summary().p99Millis(),
                      s.summary().outcomes())));
      RunResult.Memory jvm = currentJvmMemory();

      RunResult.WorkerStats worker = null;
      String workerNote = null;
      if (!options.workerProcess()) {
        workerNote = "The worker process was not measured (--no-worker-process).";
      } else if (!Files.isRegularFile(options.workerJar())) {
        workerNote =
            "The worker process was not measured: "
                + options.workerJar()
                + " is missing (build it with `mvn -B -q -pl worker -am package -DskipTests`).";
      } else {
        progress("worker process: start, then " + options.experiments() + " activations");
        worker = measureWorkerProcess(stack, options);
      }
      return new RunResult(
          MachineInfo.current(),
          loadBefore,
          MachineInfo.loadAverage(),
          startedAt,
          Duration.ofNanos(System.nanoTime() - t0),
          options.quick(),
          options.experiments(),
          warmUp,
          options.tuning(),
          options.httpNoDelay(),
          stackStart,
          byConcurrency,
          storms,
          jvm,
          worker,
          workerNote);
    }
  }

  private static RunResult.WorkerStats measureWorkerProcess(BenchStack stack, Options options)
      throws Exception {
    Map<String, String> env =
        Map.of(
            "POSTGRESQL_URL",
            stack.postgres.postgresqlUrl(stack.databaseName),
            "TEMPORAL_ADDRESS",
            stack.temporal.target(),
            "TEMPORAL_NAMESPACE",
            "default",
            "TEMPORAL_TASK_QUEUE",
            WORKER_PROCESS_QUEUE,
            "LOG_LEVEL",
            "warn");
    Path log = options.directory().resolve("worker-process.log");
    try (WorkerProcess process = WorkerProcess.start(options.workerJar(), env, log)) {
      ActivationClient client = new ActivationClient(stack.client, WORKER_PROCESS_QUEUE);
      List<String> ids = stack.seeder.pending("proc", options.experiments());
      Summary load =
          Load.run(
              ids.size(),
              8,
              i -> client.activate(ids.get(i), null, Benchmark.RESULT_TIMEOUT).outcome().name());
      return new RunResult.WorkerStats(
          process.startToReady, process.peakRssMib(), process.rssMib(), ids.size(), load);
    }
  }

  static RunResult.Memory currentJvmMemory() {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    Path status = Path.of("/proc/self/status");
    return new RunResult.Memory(
        MachineInfo.procKbAsMib(status, "VmHWM"),
        MachineInfo.procKbAsMib(status, "VmRSS"),
        heap.getUsed() / (1024 * 1024),
        heap.getCommitted() / (1024 * 1024));
  }

  private static void progress(String line) {
    System.err.println("benchmark: " + line);
  }

  /** The stack's own INFO logs would drown the progress lines. */
  private static void quietLogs() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }
}
