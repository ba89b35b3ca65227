package dev.abtest.benchmark;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.abtest.activation.ActivationClient;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.LoopbackTemporalServer;
import dev.abtest.embedded.TemporalCli;
import dev.abtest.embedded.TemporalDevServer;
import dev.abtest.embedded.TemporalServer;
import dev.abtest.embedded.TemporalServers;
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
      List<String> engines,
      int rounds,
      int warmUp,
      boolean devInMemory,
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
      List<String> engines = null;
      Integer rounds = null;
      Integer warmUp = null;
      boolean devInMemory = false;
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
          case "engines" -> engines = List.of(value.split(","));
          case "rounds" -> rounds = Integer.parseInt(value);
          case "warm-up" -> warmUp = Integer.parseInt(value);
          case "dev-db" -> {
            if (!value.equals("file") && !value.equals("memory")) {
              throw new IllegalArgumentException("--dev-db takes file or memory, got " + value);
            }
            devInMemory = value.equals("memory");
          }
          default -> tuning = tuning.with(name, Integer.parseInt(value));
        }
      }
      return new Options(
          quick,
          experiments != null ? experiments : quick ? 100 : 80,
          storm != null ? storm : quick ? 200 : 1000,
          out,
          directory,
          workerJar,
          workerProcess,
          concurrencies,
          httpNoDelay,
          engines != null ? engines : defaultEngines(),
          rounds != null ? rounds : quick ? 1 : 3,
          warmUp != null ? warmUp : quick ? 20 : 40,
          devInMemory,
          tuning);
    }

    /**
     * Experiments per path and round at {@code concurrency}: {@link #experiments}, and in a full
     * run at least two per client thread, so that the ramp-up of 64 threads does not decide the
     * throughput.
     */
    int perPath(int concurrency) {
      return quick ? experiments : Math.max(experiments, 2 * concurrency);
    }

    /** Both engines when a CLI is found (dev first), else the test server alone. */
    static List<String> defaultEngines() {
      return TemporalServers.cliForTests().isPresent() ? List.of(DEV, TEST) : List.of(TEST);
    }
  }

  static final String DEV = "dev";
  static final String TEST = "test";

  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (RuntimeException e) {
      System.err.println("benchmark: " + e.getMessage());
      System.err.println(
          "usage: java -jar benchmark.jar [--quick] [--engines=dev,test] [--rounds=N]"
              + " [--warm-up=N] [--dev-db=file|memory]"
              + " [--experiments=N] [--storm=N] [--out=FILE]"
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
    boolean failed = !result.failedChecks().isEmpty();
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
    for (String engine : options.engines()) {
      if (!engine.equals(DEV) && !engine.equals(TEST)) {
        throw new IllegalArgumentException("--engines takes dev and/or test, got " + engine);
      }
    }
    Instant startedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    String loadBefore = MachineInfo.loadAverage();
    long t0 = System.nanoTime();
    // As many as a scenario, so the JIT settles before anything is measured; the quick mode, a
    // smoke test, keeps it short.
    int warmUp = options.warmUp();
    Path dir = options.directory();
    progress("starting PostgreSQL in " + dir.toAbsolutePath());
    String databaseName = "benchmark_" + System.currentTimeMillis();
    int capacity = Math.max(options.perPath(64) * 4, options.stormSize() * 2);
    Map<String, BenchStack> stacks = new LinkedHashMap<>();
    Map<String, RunResult.EngineInfo> engineInfo = new LinkedHashMap<>();
    Map<String, Benchmark> benches = new LinkedHashMap<>();
    try (EmbeddedPostgres postgres = BenchStack.startPostgres(dir, databaseName)) {
      try {
        Path pgData = dir.resolve("data");
        // Both stacks run side by side for the whole run: the rounds then differ only in the
        // engine, with the same JIT-warm JVM, the same PostgreSQL and no restart between rounds.
        for (String engine : options.engines()) {
          long s0 = System.nanoTime();
          TemporalServer server = startServer(engine, dir, options.devInMemory());
          BenchStack stack =
              BenchStack.start(postgres, databaseName, server, engine, options.tuning(), capacity);
          stacks.put(engine, stack);
          Duration took = Duration.ofNanos(System.nanoTime() - s0);
          ServerMetrics metrics =
              engine.equals(DEV) ? ServerMetrics.fromLog(devLog(dir)).orElse(null) : null;
          engineInfo.put(
              engine,
              new RunResult.EngineInfo(
                  engine,
                  server.engine()
                      + (engine.equals(DEV)
                          ? server.persistent()
                              ? " with a SQLite file (fresh per run)"
                              : " in memory (--dev-db=memory)"
                          : ""),
                  took,
                  metrics == null ? null : metrics.uri().toString()));
          benches.put(engine, new Benchmark(stack, options.experiments(), pgData, metrics));
          progress(
              "engine "
                  + engine
                  + ": "
                  + server.engine()
                  + " on "
                  + server.target()
                  + ", stack up in "
                  + took.toMillis()
                  + " ms"
                  + (metrics != null ? ", metrics " + metrics.uri() : ""));
        }
        Benchmark first = benches.values().iterator().next();
        progress("warming up on " + warmUp + " experiments per path and engine");
        for (Benchmark bench : benches.values()) {
          bench.warmUp(warmUp, Benchmark.Path.ENGINE_PATHS);
        }
        first.warmUp(warmUp, Benchmark.Path.PLAIN_PATHS);

        Map<String, Map<Integer, Map<Benchmark.Path, List<Benchmark.Measured>>>> rounds =
            new LinkedHashMap<>();
        Map<Integer, Map<Benchmark.Path, Benchmark.Measured>> plain = new LinkedHashMap<>();
        for (int concurrency : options.concurrencies()) {
          progress(
              "concurrency "
                  + concurrency
                  + ": "
                  + options.rounds()
                  + " rounds of "
                  + options.perPath(concurrency)
                  + " per path and engine");
          for (int round = 0; round < options.rounds(); round++) {
            // ABAB: every round runs each engine once, in the same order; inside an engine's turn
            // the paths alternate their order from round to round, so none always goes first.
            List<Benchmark.Path> order =
                round % 2 == 0 ? Benchmark.Path.ENGINE_PATHS : Benchmark.Path.ENGINE_PATHS_REVERSED;
            for (Benchmark bench : benches.values()) {
              for (Benchmark.Path path : order) {
                Benchmark.Measured m =
                    bench.measure(
                        path,
                        concurrency,
                        options.perPath(concurrency),
                        "c" + concurrency + "r" + round);
                rounds
                    .computeIfAbsent(bench.engine(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(concurrency, k -> new LinkedHashMap<>())
                    .computeIfAbsent(path, k -> new java.util.ArrayList<>())
                    .add(m);
                progress(bench.engine() + " round " + (round + 1) + " " + line(m));
              }
            }
          }
          Map<Benchmark.Path, Benchmark.Measured> at = new LinkedHashMap<>();
          for (Benchmark.Path path : Benchmark.Path.PLAIN_PATHS) {
            Benchmark.Measured m =
                first.measure(path, concurrency, options.perPath(concurrency), "c" + concurrency);
            at.put(path, m);
            progress("no engine " + line(m));
          }
          plain.put(concurrency, at);
        }
        Map<String, List<Benchmark.Storm>> storms = new LinkedHashMap<>();
        for (Benchmark bench : benches.values()) {
          progress(
              "dedup storm on "
                  + bench.engine()
                  + ": "
                  + options.stormSize()
                  + " concurrent requests");
          List<Benchmark.Storm> s =
              List.of(
                  bench.dedupStorm(options.stormSize()),
                  bench.dedupStormDuringWrite(options.stormSize()));
          s.forEach(
              storm ->
                  progress(
                      String.format(
                          "  storm %s: runs %d, transitions %d, p99 %.2f ms, %s",
                          storm.variant(),
                          storm.runsStarted(),
                          storm.transitions(),
                          storm.summary().p99Millis(),
                          storm.summary().outcomes())));
          storms.put(bench.engine(), s);
        }
        RunResult.Memory jvm = currentJvmMemory();

        RunResult.WorkerStats worker = null;
        String workerNote = null;
        BenchStack firstStack = stacks.values().iterator().next();
        if (!options.workerProcess()) {
          workerNote = "The worker process was not measured (--no-worker-process).";
        } else if (!Files.isRegularFile(options.workerJar())) {
          workerNote =
              "The worker process was not measured: "
                  + options.workerJar()
                  + " is missing (build it with `mvn -B -q -pl worker -am package -DskipTests`).";
        } else {
          progress(
              "worker process on "
                  + firstStack.engine
                  + ": start, then "
                  + options.experiments()
                  + " activations");
          worker = measureWorkerProcess(firstStack, options);
        }
        return new RunResult(
            MachineInfo.current(),
            loadBefore,
            MachineInfo.loadAverage(),
            startedAt,
            Duration.ofNanos(System.nanoTime() - t0),
            options.quick(),
            options.experiments(),
            options.rounds(),
            warmUp,
            options.tuning(),
            options.httpNoDelay(),
            engineInfo,
            rounds,
            plain,
            storms,
            jvm,
            worker,
            workerNote);
      } finally {
        for (BenchStack stack : stacks.values()) {
          stack.close();
        }
      }
    }
  }

  private static Path devLog(Path dir) {
    return dir.resolve("temporal-dev-server.log");
  }

  /** A fresh engine: the dev server on a new SQLite file (headless), or the Java test server. */
  private static TemporalServer startServer(String engine, Path dir, boolean inMemory)
      throws Exception {
    if (engine.equals(TEST)) {
      return LoopbackTemporalServer.start(0);
    }
    Path cli =
        TemporalCli.locate()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "--engines=dev needs the temporal CLI: " + TemporalCli.INSTALL_HINT));
    Path db = dir.resolve("temporal-dev.db");
    for (String suffix : List.of("", "-wal", "-shm", "-journal")) {
      Files.deleteIfExists(Path.of(db + suffix));
    }
    Files.deleteIfExists(devLog(dir));
    TemporalDevServer.Options dev = TemporalDevServer.Options.of(cli, devLog(dir));
    return TemporalDevServer.start(inMemory ? dev : dev.withDbFile(db));
  }

  private static String line(Benchmark.Measured m) {
    return String.format(
        "%-8s %8.1f/s p50 %7.2f ms p99 %7.2f ms %s [%s]",
        m.path(),
        m.summary().throughput(),
        m.summary().p50Millis(),
        m.summary().p99Millis(),
        m.failedChecks().isEmpty() ? "ok" : m.failedChecks(),
        m.summary().histogram());
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
      List<String> ids = stack.pending("proc", options.experiments());
      long workerBefore = ProcCpu.nanos(process.pid());
      long serverPid = stack.serverPid();
      long serverBefore = serverPid > 0 ? ProcCpu.nanos(serverPid) : -1;
      Summary load =
          Load.run(
              ids.size(),
              8,
              i -> client.activate(ids.get(i), null, Benchmark.RESULT_TIMEOUT).outcome().name());
      long workerCpu = ProcCpu.nanos(process.pid()) - workerBefore;
      long serverCpu = serverPid > 0 ? ProcCpu.nanos(serverPid) - serverBefore : -1;
      return new RunResult.WorkerStats(
          stack.engine,
          process.startToReady,
          process.peakRssMib(),
          process.rssMib(),
          ids.size(),
          load,
          workerCpu,
          serverCpu);
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
