package dev.abtest.benchmark;

import dev.abtest.benchmark.Benchmark.Measured;
import dev.abtest.benchmark.Benchmark.Path;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * Renders a {@link RunResult} as Markdown: the file BENCHMARKS.md and the table printed at the end.
 * Figures of the engine paths are medians over the run's rounds.
 */
final class Report {
  private Report() {}

  static final List<String> ROLES =
      List.of(
          ThreadRoles.WORKER,
          ThreadRoles.STARTER,
          ThreadRoles.LOAD,
          ThreadRoles.GRPC,
          ThreadRoles.TEST_SERVER,
          ThreadRoles.OTHER);

  static String markdown(RunResult r) {
    StringBuilder md = new StringBuilder();
    md.append("# Benchmarks\n\n");
    md.append("Written by `java -jar benchmark/target/benchmark.jar")
        .append(r.quick() ? " --quick" : "")
        .append(" --engines=")
        .append(String.join(",", r.engines().keySet()))
        .append(" --rounds=")
        .append(r.roundCount())
        .append(" --experiments=")
        .append(r.experiments())
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
    md.append("Engines, each with its own stack (pool, worker, starter) in this process:\n\n");
    for (RunResult.EngineInfo e : r.engines().values()) {
      md.append("- `")
          .append(e.key())
          .append("`: ")
          .append(e.description())
          .append(
              e.key().equals(BenchmarkMain.DEV)
                  ? ", a child process on 127.0.0.1, headless"
                  : ", in memory, inside this JVM")
          .append("; stack start ")
          .append(e.stackStart().toMillis())
          .append(" ms")
          .append(e.metricsUri() != null ? "; its Prometheus endpoint was scraped" : "")
          .append('\n');
    }
    md.append('\n');
    md.append(
            "One embedded PostgreSQL 17 for both, default durability (fsync, synchronous_commit and"
                + " full_page_writes on: every commit waits for the disk). The worker's real workflow"
                + " and activities, the real HTTP starter on loopback, and the load generator run in"
                + " the benchmark JVM. Every measurement activates ")
        .append(r.experiments())
        .append(" experiments")
        .append(
            r.quick()
                ? ""
                : " (at least two per client thread: "
                    + Math.max(r.experiments(), 128)
                    + " at concurrency 64)")
        .append(
            " seeded fresh for it (PENDING, valid configuration) from a closed loop of"
                + " N client threads. The engine paths (ceiling, client, HTTP) run in ")
        .append(r.roundCount())
        .append(
            " ABAB rounds per concurrency: each round runs every engine once, in the same order,"
                + " and inside an engine's turn the three paths alternate their order from round to"
                + " round; the tables show the median of the rounds, and a ratio is the median of"
                + " the per-round ratios (two paths of the same round and engine, or two engines in"
                + " the same round), so a drift in the machine's load hits both sides of a ratio"
                + " alike. Both stacks stay up side by side for the whole run (the idle one only"
                + " holds long polls), rather than being restarted per round: a restart would put"
                + " a cold JIT, cold pools and an empty server cache into every round. The database"
                + " floor and the original route involve no engine and run once per concurrency."
                + " Before measuring, every path ran once on ")
        .append(r.warmUp())
        .append(
            " experiments per engine (not counted).\n\nWorker and pool settings of this run:\n\n");
    for (String line : r.tuning().describe()) {
      md.append("- ").append(line).append('\n');
    }
    md.append("- TCP_NODELAY on the JDK HTTP servers (`sun.net.httpserver.nodelay`): ")
        .append(r.httpNoDelay())
        .append("\n\n");

    throughput(md, r);
    cpu(md, r);
    ratios(md, r);
    goals(md, r);
    roundTrips(md, r);
    serverSide(md, r);
    storms(md, r);
    memory(md, r);

    String analysis = resource("/analysis.md");
    if (analysis != null) {
      md.append(analysis.strip()).append('\n');
    }
    return md.toString();
  }

  private static void throughput(StringBuilder md, RunResult r) {
    md.append("## Throughput and latency\n\n");
    md.append(
        "Median of the rounds; \"per round\" lists each round's throughput in the order run.\n\n");
    md.append(
        "| path | engine | concurrency | activations/s | per round | p50 ms | p95 ms | p99 ms |"
            + " checks |\n");
    md.append("| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |\n");
    for (Path path : Path.ENGINE_PATHS) {
      for (String engine : r.rounds().keySet()) {
        for (var byC : r.rounds().get(engine).entrySet()) {
          List<Measured> ms = byC.getValue().get(path);
          md.append("| ")
              .append(path.label)
              .append(" | ")
              .append(engine)
              .append(" | ")
              .append(byC.getKey())
              .append(" | ")
              .append(f1(median(ms, m -> m.summary().throughput())))
              .append(" | ")
              .append(
                  ms.stream()
                      .map(m -> f1(m.summary().throughput()))
                      .collect(Collectors.joining(", ")))
              .append(" | ")
              .append(f2(median(ms, m -> m.summary().p50Millis())))
              .append(" | ")
              .append(f2(median(ms, m -> m.summary().p95Millis())))
              .append(" | ")
              .append(f2(median(ms, m -> m.summary().p99Millis())))
              .append(" | ")
              .append(checks(ms))
              .append(" |\n");
        }
      }
    }
    for (Path path : Path.PLAIN_PATHS) {
      for (var byC : r.plain().entrySet()) {
        Measured m = byC.getValue().get(path);
        md.append("| ")
            .append(path.label)
            .append(" | none | ")
            .append(byC.getKey())
            .append(" | ")
            .append(f1(m.summary().throughput()))
            .append(" | one run | ")
            .append(f2(m.summary().p50Millis()))
            .append(" | ")
            .append(f2(m.summary().p95Millis()))
            .append(" | ")
            .append(f2(m.summary().p99Millis()))
            .append(" | ")
            .append(checks(List.of(m)))
            .append(" |\n");
      }
    }
    md.append('\n');
  }

  private static void cpu(StringBuilder md, RunResult r) {
    md.append("## CPU time per activation, beside wall time\n\n");
    md.append(
        "Milliseconds of CPU per activation (median of the rounds) of each process: the benchmark"
            + " JVM (from the OS: every thread), split by the role of its threads (the worker's"
            + " Temporal SDK threads; the starter's HTTP threads, which make its Temporal calls;"
            + " the load generator; gRPC transport threads, shared by all of them; the Java test"
            + " server's own threads when it is the engine, though much of its work runs on gRPC"
            + " threads), the dev server process (`/proc/<pid>/stat` utime + stime, 10 ms ticks)"
            + " and PostgreSQL (postmaster and backends, the same way). Wall ms per activation is"
            + " 1,000 / throughput: the machine time each activation took at that concurrency;"
            + " with 2 CPUs, the processes together can spend at most 2 × that in CPU.\n\n");
    md.append("| path | engine | c | wall ms/act | p50 ms | benchmark JVM");
    for (String role : ROLES) {
      md.append(" | ").append(role);
    }
    md.append(" | dev server process | PostgreSQL | all processes |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---:");
    md.append(" | ---:".repeat(ROLES.size()));
    md.append(" | ---: | ---: | ---: |\n");
    for (Path path : Path.ENGINE_PATHS) {
      for (String engine : r.rounds().keySet()) {
        for (var byC : r.rounds().get(engine).entrySet()) {
          List<Measured> ms = byC.getValue().get(path);
          md.append("| ")
              .append(path.label)
              .append(" | ")
              .append(engine)
              .append(" | ")
              .append(byC.getKey())
              .append(" | ")
              .append(f2(median(ms, m -> 1000.0 / m.summary().throughput())))
              .append(" | ")
              .append(f2(median(ms, m -> m.summary().p50Millis())))
              .append(" | ")
              .append(f2(median(ms, m -> perOp(m, m.cost().jvmCpuNanos()))));
          for (String role : ROLES) {
            md.append(" | ")
                .append(
                    f2(median(ms, m -> perOp(m, m.cost().jvmCpuByRole().getOrDefault(role, 0L)))));
          }
          boolean dev = ms.get(0).cost().serverCpuNanos() >= 0;
          md.append(" | ")
              .append(dev ? f2(median(ms, m -> perOp(m, m.cost().serverCpuNanos()))) : "in the JVM")
              .append(" | ")
              .append(f2(median(ms, m -> perOp(m, m.cost().postgresCpuNanos()))))
              .append(" | ")
              .append(
                  f2(
                      median(
                          ms,
                          m ->
                              perOp(
                                  m,
                                  m.cost().jvmCpuNanos()
                                      + Math.max(0, m.cost().serverCpuNanos())
                                      + Math.max(0, m.cost().postgresCpuNanos())))))
              .append(" |\n");
        }
      }
    }
    for (Path path : Path.PLAIN_PATHS) {
      for (var byC : r.plain().entrySet()) {
        Measured m = byC.getValue().get(path);
        md.append("| ")
            .append(path.label)
            .append(" | none | ")
            .append(byC.getKey())
            .append(" | ")
            .append(f2(1000.0 / m.summary().throughput()))
            .append(" | ")
            .append(f2(m.summary().p50Millis()))
            .append(" | ")
            .append(f2(perOp(m, m.cost().jvmCpuNanos())));
        for (String role : ROLES) {
          md.append(" | ").append(f2(perOp(m, m.cost().jvmCpuByRole().getOrDefault(role, 0L))));
        }
        md.append(" | – | ")
            .append(f2(perOp(m, m.cost().postgresCpuNanos())))
            .append(" | ")
            .append(f2(perOp(m, m.cost().jvmCpuNanos() + Math.max(0, m.cost().postgresCpuNanos()))))
            .append(" |\n");
      }
    }
    md.append('\n');
  }

  private static void ratios(StringBuilder md, RunResult r) {
    md.append("## Ratios\n\n");
    md.append(
        "- activation / ceiling: throughput of the real activation over the same workflow with"
            + " canned activities on the same engine in the same round; median of the rounds (goal"
            + " ≥ 0.90).\n"
            + "- database activity / floor: mean time inside ActivationWriteActivitiesImpl during the"
            + " client path (median of the rounds) over the mean time of the bare conditional UPDATE"
            + " + audit INSERT (ActivationStore, same pool size, no Temporal) at the same concurrency"
            + " (goal ≤ 1.5).\n"
            + "- HTTP / original: our HTTP route against the original design (read, then"
            + " unconditional update, no engine) served by the JDK HTTP server in this process.\n\n");
    md.append(
        "| engine | c | client / ceiling | per round | HTTP / ceiling | DB activity mean / floor"
            + " mean | DB activity mean ms | floor mean ms | HTTP / original (throughput) | HTTP /"
            + " original (p50) |\n");
    md.append("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (String engine : r.rounds().keySet()) {
      for (var byC : r.rounds().get(engine).entrySet()) {
        Map<Path, List<Measured>> at = byC.getValue();
        List<Double> clientRatios = perRound(at.get(Path.CLIENT), at.get(Path.CEILING));
        List<Double> httpRatios = perRound(at.get(Path.HTTP), at.get(Path.CEILING));
        Map<Path, Measured> plain = r.plain().get(byC.getKey());
        Summary floor = floorOf(plain);
        double activity = median(at.get(Path.CLIENT), m -> m.storeActivity().meanMillis());
        Summary original = plain.get(Path.ORIGINAL).summary();
        md.append("| ")
            .append(engine)
            .append(" | ")
            .append(byC.getKey())
            .append(" | ")
            .append(f2(median(clientRatios)))
            .append(" | ")
            .append(clientRatios.stream().map(Report::f2).collect(Collectors.joining(", ")))
            .append(" | ")
            .append(f2(median(httpRatios)))
            .append(" | ")
            .append(f2(activity / floor.meanMillis()))
            .append(" | ")
            .append(f2(activity))
            .append(" | ")
            .append(f2(floor.meanMillis()))
            .append(" | ")
            .append(
                f2(
                    median(at.get(Path.HTTP), m -> m.summary().throughput())
                        / original.throughput()))
            .append(" | ")
            .append(
                f2(median(at.get(Path.HTTP), m -> m.summary().p50Millis()) / original.p50Millis()))
            .append(" |\n");
      }
    }
    md.append('\n');
    if (r.rounds().containsKey(BenchmarkMain.DEV) && r.rounds().containsKey(BenchmarkMain.TEST)) {
      md.append(
          "Dev server against test server, the same path in the same round (median of the"
              + " per-round ratios; above 1 the dev server is faster):\n\n");
      md.append("| path | c | throughput dev / test | p50 dev / test | per round (throughput) |\n");
      md.append("| --- | ---: | ---: | ---: | --- |\n");
      for (Path path : Path.ENGINE_PATHS) {
        for (int c : r.rounds().get(BenchmarkMain.DEV).keySet()) {
          List<Measured> dev = r.rounds().get(BenchmarkMain.DEV).get(c).get(path);
          List<Measured> test = r.rounds().get(BenchmarkMain.TEST).get(c).get(path);
          List<Double> tput = perRound(dev, test);
          List<Double> p50 = new ArrayList<>();
          for (int i = 0; i < Math.min(dev.size(), test.size()); i++) {
            p50.add(dev.get(i).summary().p50Millis() / test.get(i).summary().p50Millis());
          }
          md.append("| ")
              .append(path.label)
              .append(" | ")
              .append(c)
              .append(" | ")
              .append(f2(median(tput)))
              .append(" | ")
              .append(f2(median(p50)))
              .append(" | ")
              .append(tput.stream().map(Report::f2).collect(Collectors.joining(", ")))
              .append(" |\n");
        }
      }
      md.append('\n');
    }
  }

  private static void goals(StringBuilder md, RunResult r) {
    md.append("## Goals in this run\n\n");
    md.append(
        "| engine | c | activation ≥ 0.90 × ceiling (client, median of rounds) | worst round |"
            + " DB activity ≤ 1.5 × floor (mean) |\n");
    md.append("| --- | ---: | --- | ---: | --- |\n");
    for (String engine : r.rounds().keySet()) {
      for (var byC : r.rounds().get(engine).entrySet()) {
        Map<Path, List<Measured>> at = byC.getValue();
        List<Double> ratios = perRound(at.get(Path.CLIENT), at.get(Path.CEILING));
        double ratio = median(ratios);
        double db =
            median(at.get(Path.CLIENT), m -> m.storeActivity().meanMillis())
                / floorOf(r.plain().get(byC.getKey())).meanMillis();
        md.append("| ")
            .append(engine)
            .append(" | ")
            .append(byC.getKey())
            .append(" | ")
            .append(ratio >= 0.9 ? "reached (" : "not reached (")
            .append(f2(ratio))
            .append(") | ")
            .append(f2(ratios.stream().mapToDouble(d -> d).min().orElse(0)))
            .append(" | ")
            .append(db <= 1.5 ? "reached (" : "not reached (")
            .append(f2(db))
            .append(") |\n");
      }
    }
    md.append('\n');
    md.append("| engine | storm | requests | transitions (goal: 1) |\n");
    md.append("| --- | --- | ---: | --- |\n");
    r.storms()
        .forEach(
            (engine, list) ->
                list.forEach(
                    s ->
                        md.append("| ")
                            .append(engine)
                            .append(" | ")
                            .append(s.variant())
                            .append(" | ")
                            .append(s.summary().count())
                            .append(" | ")
                            .append(
                                s.transitions() == 1
                                    ? "reached (1)"
                                    : "NOT reached (" + s.transitions() + ")")
                            .append(" |\n")));
    md.append('\n');
  }

  private static void roundTrips(StringBuilder md, RunResult r) {
    md.append("## Round trips per activation (client and worker side)\n\n");
    md.append(
        "gRPC calls of the benchmark's Temporal client and worker (one set of service stubs,"
            + " counted by a ClientInterceptor) per activation, summed over the rounds. Polls are"
            + " long polls: a poll that returns a task is one round trip, and pollers keep one"
            + " outstanding each, so they count a little above the tasks they fetched. On the HTTP"
            + " path the starter's own calls (its own stubs) are not counted here; the dev"
            + " server's frontend count below includes them.\n\n");
    md.append("| path | engine | c | calls / activation | by method |\n");
    md.append("| --- | --- | ---: | ---: | --- |\n");
    for (Path path : Path.ENGINE_PATHS) {
      for (String engine : r.rounds().keySet()) {
        for (var byC : r.rounds().get(engine).entrySet()) {
          List<Measured> ms = byC.getValue().get(path);
          long ops = ms.stream().mapToLong(m -> m.summary().count()).sum();
          Map<String, Long> sum = new TreeMap<>();
          ms.forEach(m -> m.cost().rpcs().forEach((k, v) -> sum.merge(k, v, Long::sum)));
          long total = sum.values().stream().mapToLong(Long::longValue).sum();
          md.append("| ")
              .append(path.label)
              .append(" | ")
              .append(engine)
              .append(" | ")
              .append(byC.getKey())
              .append(" | ")
              .append(f2((double) total / ops))
              .append(" | ")
              .append(
                  sum.entrySet().stream()
                      .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                      .filter(e -> (double) e.getValue() / ops >= 0.01)
                      .map(e -> e.getKey() + " " + f2((double) e.getValue() / ops))
                      .collect(Collectors.joining(", ")))
              .append(" |\n");
        }
      }
    }
    md.append('\n');
  }

  private static void serverSide(StringBuilder md, RunResult r) {
    var dev = r.rounds().get(BenchmarkMain.DEV);
    if (dev == null
        || dev.values().stream()
            .flatMap(m -> m.values().stream())
            .flatMap(List::stream)
            .allMatch(m -> m.cost().serverMetrics().isEmpty())) {
      return;
    }
    md.append("## Inside the dev server\n\n");
    md.append(
        "From the dev server's own Prometheus counters (`service_requests`,"
            + " `service_latency`, `persistence_requests`, `persistence_latency`; namespace"
            + " `temporal_system` left out), summed over the rounds, per activation: the requests"
            + " each of its services served (frontend: every call from outside, the starter's"
            + " included; history and matching: the server's internal round trips), its"
            + " persistence (SQLite) operations, and the time those took. Latencies of long polls"
            + " (`Poll*`, which wait for work) are left out of the time columns.\n\n");
    md.append(
        "| path | c | frontend req | history req | matching req | persistence ops |"
            + " persistence ms | history ms (no polls) | frontend ms (no polls) |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for (Path path : Path.ENGINE_PATHS) {
      for (var byC : dev.entrySet()) {
        List<Measured> ms = byC.getValue().get(path);
        long ops = ms.stream().mapToLong(m -> m.summary().count()).sum();
        Map<String, Double> sum = sumMetrics(ms);
        md.append("| ")
            .append(path.label)
            .append(" | ")
            .append(byC.getKey())
            .append(" | ")
            .append(f2(total(sum, "service_requests frontend ", false) / ops))
            .append(" | ")
            .append(f2(total(sum, "service_requests history ", false) / ops))
            .append(" | ")
            .append(f2(total(sum, "service_requests matching ", false) / ops))
            .append(" | ")
            .append(f2(total(sum, "persistence_requests ", false) / ops))
            .append(" | ")
            .append(f2(total(sum, "persistence_latency_sum ", false) * 1000 / ops))
            .append(" | ")
            .append(f2(total(sum, "service_latency_sum history ", true) * 1000 / ops))
            .append(" | ")
            .append(f2(total(sum, "service_latency_sum frontend ", true) * 1000 / ops))
            .append(" |\n");
      }
    }
    md.append('\n');
    int c = dev.keySet().iterator().next();
    List<Measured> ms = dev.get(c).get(Path.CLIENT);
    long ops = ms.stream().mapToLong(m -> m.summary().count()).sum();
    Map<String, Double> sum = sumMetrics(ms);
    md.append("Where the dev server spends it, activation through the client at concurrency ")
        .append(c)
        .append(" (operations taking at least 0.05 ms per activation, long polls left out):\n\n");
    md.append("| service | operation | requests / activation | ms / activation |\n");
    md.append("| --- | --- | ---: | ---: |\n");
    Map<String, double[]> rows = new LinkedHashMap<>();
    sum.forEach(
        (key, v) -> {
          String[] k = key.split(" ", 3);
          if (k[2].startsWith("Poll")) {
            return;
          }
          String metric = k[0];
          String service = metric.startsWith("persistence") ? "persistence (" + k[1] + ")" : k[1];
          double[] row = rows.computeIfAbsent(service + " " + k[2], x -> new double[2]);
          if (metric.endsWith("_requests")) {
            row[0] += v;
          } else {
            row[1] += v;
          }
        });
    rows.entrySet().stream()
        .filter(e -> e.getValue()[1] * 1000 / ops >= 0.05)
        .sorted(
            Comparator.comparingDouble((Map.Entry<String, double[]> e) -> e.getValue()[1])
                .reversed())
        .forEach(
            e -> {
              int space = e.getKey().lastIndexOf(' ');
              md.append("| ")
                  .append(e.getKey(), 0, space)
                  .append(" | ")
                  .append(e.getKey().substring(space + 1))
                  .append(" | ")
                  .append(f2(e.getValue()[0] / ops))
                  .append(" | ")
                  .append(f2(e.getValue()[1] * 1000 / ops))
                  .append(" |\n");
            });
    md.append('\n');
  }

  private static void storms(StringBuilder md, RunResult r) {
    md.append("## Dedup storm\n\n");
    md.append(
            "Simultaneous HTTP requests to activate one fresh experiment (one client thread each,"
                + " released together), on each engine. Runs started counts the workflow runs that"
                + " executed; a request that reaches Temporal after the first run closed starts a new"
                + " run (the contract's ALLOW_DUPLICATE reuse policy), which finds the experiment"
                + " ACTIVE and answers 409 without writing. In the second row another transaction"
                + " holds the row until 2 s after the last request was sent, so the first run waits"
                + " inside its conditional UPDATE meanwhile, and every request joins that run. The"
                + " starter starts or joins on its HTTP_THREADS worker threads (")
        .append(r.tuning().httpThreads())
        .append(
            " here) and waits for the result without holding a thread; a request whose wait"
                + " budget runs out first is answered 202. Transitions must be 1 in every row.\n\n");
    md.append(
        "| engine | storm | requests | runs started | transitions (must be 1) | p50 ms | p99 ms |"
            + " answers |\n");
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    r.storms()
        .forEach(
            (engine, list) -> {
              for (Benchmark.Storm storm : list) {
                md.append("| ")
                    .append(engine)
                    .append(" | ")
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
            });
    md.append('\n');
  }

  private static void memory(StringBuilder md, RunResult r) {
    md.append("## Memory and start\n\n");
    RunResult.Memory jvm = r.benchmarkJvm();
    md.append(
        "| process | start to ready | peak RSS (VmHWM) | RSS | heap used / committed | CPU ms /"
            + " activation |\n");
    md.append("| --- | ---: | ---: | ---: | ---: | ---: |\n");
    md.append("| benchmark JVM (worker + starter + load generator")
        .append(r.engines().containsKey(BenchmarkMain.TEST) ? " + test server" : "")
        .append(", every stack) | ")
        .append(
            r.engines().values().stream()
                .map(e -> e.key() + " stack " + e.stackStart().toMillis() + " ms")
                .collect(Collectors.joining(", ")))
        .append(" | ")
        .append(jvm.peakRssMib())
        .append(" MiB | ")
        .append(jvm.rssMib())
        .append(" MiB | ")
        .append(jvm.heapUsedMib())
        .append(" / ")
        .append(jvm.heapCommittedMib())
        .append(" MiB | see above |\n");
    RunResult.WorkerStats worker = r.workerProcess();
    if (worker != null) {
      md.append(
              "| worker process (`java -jar worker/target/worker.jar`, default JVM flags) on the ")
          .append(worker.engine())
          .append(" engine, after ")
          .append(worker.activations())
          .append(" activations at c=8 | ")
          .append(worker.startToReady().toMillis())
          .append(" ms (exec to /readyz 200) | ")
          .append(worker.peakRssMib())
          .append(" MiB | ")
          .append(worker.rssMib())
          .append(" MiB | n/a | ")
          .append(f2(worker.workerCpuNanos() / 1e6 / worker.activations()))
          .append(
              worker.serverCpuNanos() >= 0
                  ? " (dev server process meanwhile: "
                      + f2(worker.serverCpuNanos() / 1e6 / worker.activations())
                      + ")"
                  : "")
          .append(" |\n");
      md.append("\nThe worker process's load: ")
          .append(f1(worker.load().throughput()))
          .append(" activations/s, p50 ")
          .append(f2(worker.load().p50Millis()))
          .append(" ms, p99 ")
          .append(f2(worker.load().p99Millis()))
          .append(" ms, ")
          .append(worker.load().outcomes())
          .append(".\n");
    }
    if (r.workerProcessNote() != null) {
      md.append("\n").append(r.workerProcessNote()).append('\n');
    }
    md.append('\n');
  }

  private static Summary floorOf(Map<Path, Measured> plain) {
    Measured floor = plain.get(Path.FLOOR);
    return floor.storeActivity() != null ? floor.storeActivity() : floor.summary();
  }

  private static Map<String, Double> sumMetrics(List<Measured> ms) {
    Map<String, Double> sum = new TreeMap<>();
    ms.forEach(m -> m.cost().serverMetrics().forEach((k, v) -> sum.merge(k, v, Double::sum)));
    return sum;
  }

  private static double total(Map<String, Double> sum, String prefix, boolean skipPolls) {
    return sum.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .filter(e -> !skipPolls || !e.getKey().substring(prefix.length()).startsWith("Poll"))
        .mapToDouble(Map.Entry::getValue)
        .sum();
  }

  private static double perOp(Measured m, long nanos) {
    return nanos < 0 || m.summary().count() == 0 ? Double.NaN : nanos / 1e6 / m.summary().count();
  }

  /** Throughput of {@code a} over {@code b}, round by round. */
  static List<Double> perRound(List<Measured> a, List<Measured> b) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      out.add(a.get(i).summary().throughput() / b.get(i).summary().throughput());
    }
    return out;
  }

  static double median(List<Measured> ms, ToDoubleFunction<Measured> f) {
    return median(ms.stream().map(f::applyAsDouble).toList());
  }

  static double median(List<Double> values) {
    List<Double> sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static String checks(List<Measured> ms) {
    List<String> failed = ms.stream().flatMap(m -> m.failedChecks().stream()).toList();
    return failed.isEmpty() ? "ok" : "FAILED: " + String.join("; ", failed);
  }

  private static String resource(String name) {
    try (InputStream in = Report.class.getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  static String f1(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f", v);
  }

  static String f2(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }
}
