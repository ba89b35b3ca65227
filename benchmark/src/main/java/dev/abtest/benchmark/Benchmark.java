package dev.abtest.benchmark;

import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.WriteResult;
import io.temporal.client.WorkflowStub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The scenarios of one run, in order; each works on experiments seeded fresh for it. */
final class Benchmark {
  static final Duration RESULT_TIMEOUT = Duration.ofSeconds(120);

  /**
   * The paths measured at each concurrency. The first three run on every engine, interleaved in
   * rounds; the last two involve no engine and run once per concurrency.
   */
  enum Path {
    CEILING("engine ceiling (canned activities), Temporal client"),
    CLIENT("activation, Temporal client (ActivationClient)"),
    HTTP("activation, HTTP starter"),
    FLOOR("database floor: conditional UPDATE + audit INSERT, no Temporal"),
    ORIGINAL("original route design over HTTP: read then update, no Temporal");

    static final List<Path> ENGINE_PATHS = List.of(CEILING, CLIENT, HTTP);
    static final List<Path> ENGINE_PATHS_REVERSED = List.of(HTTP, CLIENT, CEILING);
    static final List<Path> PLAIN_PATHS = List.of(FLOOR, ORIGINAL);

    final String label;

    Path(String label) {
      this.label = label;
    }

    boolean isCeiling() {
      return this == CEILING;
    }
  }

  /**
   * One path at one concurrency, with the checks done after it; for the activation paths also the
   * time spent inside the database activity (null otherwise).
   */
  record Measured(
      Path path, Summary summary, Summary storeActivity, List<String> failedChecks, Cost cost) {}

  /**
   * What one measurement cost beyond wall time: CPU nanoseconds of this JVM (all threads; from the
   * OS), of its threads by role, of the dev server process (-1 when the engine runs in this JVM)
   * and of PostgreSQL (postmaster and backends); the gRPC calls of this JVM's Temporal client and
   * worker by method; the dev server's own request and persistence counters (empty on the test
   * server).
   */
  record Cost(
      long jvmCpuNanos,
      Map<String, Long> jvmCpuByRole,
      long serverCpuNanos,
      long postgresCpuNanos,
      Map<String, Long> rpcs,
      Map<String, Double> serverMetrics) {}

  /** The dedup storm: many concurrent requests for one experiment. */
  record Storm(String variant, Summary summary, int runsStarted, long transitions) {}

  private final BenchStack stack;
  private final int experiments;
  private final java.nio.file.Path postgresData;
  private final ServerMetrics serverMetrics;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  Benchmark(
      BenchStack stack, int experiments, java.nio.file.Path postgresData, ServerMetrics metrics) {
    this.stack = stack;
    this.experiments = experiments;
    this.postgresData = postgresData;
    this.serverMetrics = metrics;
  }

  String engine() {
    return stack.engine;
  }

  /**
   * Runs the given paths once on {@code count} experiments, untimed, so the JIT and pools are warm.
   */
  void warmUp(int count, List<Path> paths) throws Exception {
    for (Path path : paths) {
      measure(path, 8, count, "warm");
    }
  }

  /** One path on {@code experiments} fresh experiments; {@code tag} keeps their ids apart. */
  Measured measure(Path path, int concurrency, String tag) throws Exception {
    return measure(path, concurrency, experiments, tag);
  }

  Measured measure(Path path, int concurrency, int count, String tag) throws Exception {
    String prefix = stack.engine + "-" + tag + "-" + path.name().toLowerCase();
    List<String> ids =
        path.isCeiling() ? syntheticIds(prefix, count) : stack.seeder.pending(prefix, count);
    stack.timed.reset();
    Load.Op op =
        switch (path) {
          case CEILING -> i -> ceiling(ids.get(i));
          case CLIENT ->
              i -> stack.activations.activate(ids.get(i), null, RESULT_TIMEOUT).outcome().name();
          case HTTP -> i -> post(stack.starterUri(), ids.get(i));
          case FLOOR ->
              i -> {
                String id = ids.get(i);
                long t0 = System.nanoTime();
                // The bare write: WRITTEN is the transition an activation reports as ACTIVATED.
                WriteResult.Kind kind =
                    stack
                        .store
                        .activateIfActivatable(id, null, "floor:" + id, "floor-run", 1)
                        .kind();
                String outcome = kind == WriteResult.Kind.WRITTEN ? "ACTIVATED" : kind.name();
                stack.timed.storeTime.record(System.nanoTime() - t0);
                return outcome;
              };
          case ORIGINAL -> i -> post(stack.originalRoute.uri(), ids.get(i));
        };
    Map<String, Double> metricsBefore = serverMetrics != null ? serverMetrics.scrape() : Map.of();
    Map<String, Long> rpcsBefore = stack.rpcs.snapshot();
    ThreadRoles.Snapshot threadsBefore = ThreadRoles.snapshot();
    long pid = stack.serverPid();
    long postmaster = ProcCpu.postmaster(postgresData);
    long serverBefore = pid > 0 ? ProcCpu.nanos(pid) : -1;
    long postgresBefore = postmaster > 0 ? ProcCpu.treeNanos(postmaster) : -1;
    Summary summary = Load.run(count, concurrency, op);
    long serverAfter = pid > 0 ? ProcCpu.nanos(pid) : -1;
    long postgresAfter = postmaster > 0 ? ProcCpu.treeNanos(postmaster) : -1;
    Map<String, Long> byRole = ThreadRoles.delta(threadsBefore, ThreadRoles.snapshot());
    Map<String, Long> rpcs = RpcCounter.delta(rpcsBefore, stack.rpcs.snapshot());
    Map<String, Double> metrics =
        serverMetrics != null
            ? ServerMetrics.delta(metricsBefore, serverMetrics.scrape())
            : Map.of();
    Cost cost =
        new Cost(
            summary.cpuNanos(),
            byRole,
            serverBefore >= 0 && serverAfter >= 0 ? serverAfter - serverBefore : -1,
            postgresBefore >= 0 && postgresAfter >= 0 ? postgresAfter - postgresBefore : -1,
            rpcs,
            metrics);
    Summary storeActivity =
        path == Path.CLIENT || path == Path.HTTP || path == Path.FLOOR
            ? Summary.of(concurrency, 0, stack.timed.storeTime.snapshot(), Map.of())
            : null;
    return new Measured(path, summary, storeActivity, check(path, prefix, count, summary), cost);
  }

  /**
   * Every operation answered as expected (for HTTP, 202 "still running" counts: its run goes on),
   * then, once the runs still going after a 202 finished (at most 2 minutes), every experiment
   * ACTIVE with exactly one audit row.
   */
  private List<String> check(Path path, String prefix, int count, Summary summary)
      throws SQLException, InterruptedException {
    List<String> failed = new ArrayList<>();
    long unexpected =
        switch (path) {
          case CEILING, CLIENT, FLOOR -> summary.unexpected("ACTIVATED");
          case HTTP -> count - summary.outcome("HTTP 200") - summary.outcome("HTTP 202");
          case ORIGINAL -> summary.unexpected("HTTP 200");
        };
    if (unexpected > 0) {
      failed.add(unexpected + " unexpected answers: " + summary.outcomes());
    }
    if (path.isCeiling()) {
      return failed;
    }
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    long active = stack.seeder.activeCount(prefix);
    while (active < count && summary.outcome("HTTP 202") > 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      active = stack.seeder.activeCount(prefix);
    }
    if (active != count) {
      failed.add(active + " of " + count + " rows ACTIVE");
    }
    if (path != Path.ORIGINAL) {
      long audit = stack.auditRows(prefix);
      if (audit != count) {
        failed.add(audit + " audit rows for " + count + " experiments");
      }
    }
    return failed;
  }

  /** {@code concurrent} simultaneous HTTP requests to activate one fresh experiment. */
  Storm dedupStorm(int concurrent) throws Exception {
    String id = stack.pending("storm", 1).get(0);
    stack.timed.reset();
    Summary summary = Load.run(concurrent, concurrent, i -> post(stack.starterUri(), id));
    int runs = stack.timed.runsOf(ActivationContract.workflowId(id));
    long transitions =
        stack.seeder.count(
            "SELECT count(*) FROM experiment_activation_audit"
                + " WHERE experiment_id = ? AND outcome = 'ACTIVATED'",
            id);
    return new Storm("as it comes", summary, runs, transitions);
  }

  /**
   * The same storm with every request overlapping the one run: another transaction locks the row
   * until all requests were sent and 2 s passed, so the run waits inside its conditional UPDATE
   * meanwhile (as it would behind a slow disk), and a second starter with a thread per request
   * serves them all at once. Latencies include that hold.
   */
  Storm dedupStormDuringWrite(int concurrent) throws Exception {
    String id = stack.pending("storm-held", 1).get(0);
    stack.timed.reset();
    AtomicInteger sent = new AtomicInteger();
    Summary summary;
    try (StarterHandle wide =
            StarterHandle.start(
                stack.postgres,
                stack.databaseName,
                stack.temporal,
                stack.tuning.with("http-threads", concurrent + 16));
        Connection lock = stack.database.dataSource().getConnection()) {
      lock.setAutoCommit(false);
      try (PreparedStatement select =
          lock.prepareStatement("SELECT id FROM \"ABTest\" WHERE id = ? FOR UPDATE")) {
        select.setString(1, id);
        select.executeQuery().close();
      }
      Thread release =
          new Thread(
              () -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                try {
                  while (sent.get() < concurrent && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                  }
                  Thread.sleep(2_000);
                  lock.rollback();
                } catch (InterruptedException | SQLException e) {
                  throw new IllegalStateException(e);
                }
              },
              "storm-release");
      release.start();
      summary =
          Load.run(
              concurrent,
              concurrent,
              i -> {
                sent.incrementAndGet();
                return post(wide.activateUri(), id);
              });
      release.join();
    }
    int runs = stack.timed.runsOf(ActivationContract.workflowId(id));
    long transitions =
        stack.seeder.count(
            "SELECT count(*) FROM experiment_activation_audit"
                + " WHERE experiment_id = ? AND outcome = 'ACTIVATED'",
            id);
    return new Storm(
        "all overlapping one run (write held 2 s, a starter thread per request)",
        summary,
        runs,
        transitions);
  }

  private String ceiling(String id) throws Exception {
    WorkflowStub stub =
        stack.client.newUntypedWorkflowStub(CeilingWorkflow.TYPE, stack.ceiling.options(id, null));
    long t0 = System.currentTimeMillis();
    stub.start(new ActivationRequest(id, null));
    String outcome =
        stub.getResult(RESULT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, ActivationResult.class)
            .outcome()
            .name();
    long now = System.currentTimeMillis();
    if (System.getenv("BENCH_DEBUG_LAG") != null && now - t0 > 3000) {
      var info = stub.describe().getRawDescription().getWorkflowExecutionInfo();
      long close =
          info.getCloseTime().getSeconds() * 1000 + info.getCloseTime().getNanos() / 1_000_000;
      long start =
          info.getStartTime().getSeconds() * 1000 + info.getStartTime().getNanos() / 1_000_000;
      System.err.printf(
          "LAG %s: client %d ms, run %d ms (start+%d), result seen %d ms after close%n",
          id, now - t0, close - start, start - t0, now - close);
      StringBuilder ev = new StringBuilder("   ");
      stack
          .client
          .fetchHistory(stub.getExecution().getWorkflowId())
          .getEvents()
          .forEach(
              e ->
                  ev.append(' ')
                      .append(e.getEventType().name().replace("EVENT_TYPE_", ""))
                      .append('+')
                      .append(
                          e.getEventTime().getSeconds() * 1000
                              + e.getEventTime().getNanos() / 1_000_000
                              - start));
      System.err.println(ev);
    }
    return outcome;
  }

  String post(URI uri, String experimentId) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(uri)
            .timeout(RESULT_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"" + experimentId + "\"}"))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return "HTTP " + response.statusCode();
  }

  private static List<String> syntheticIds(String prefix, int count) {
    List<String> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(prefix + "-" + i);
    }
    return ids;
  }
}
