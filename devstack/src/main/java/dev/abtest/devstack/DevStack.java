package dev.abtest.devstack;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.devstack.DevStackConfig.TemporalMode;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.LoopbackTemporalServer;
import dev.abtest.embedded.TemporalCli;
import dev.abtest.embedded.TemporalDevServer;
import dev.abtest.embedded.TemporalServer;
import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Logging;
import dev.abtest.runtime.Readiness;
import dev.abtest.runtime.SearchAttributeSetup;
import dev.abtest.runtime.TemporalProbe;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.starter.StarterApp;
import dev.abtest.starter.StarterConfig;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.worker.WorkerApp;
import dev.abtest.worker.WorkerConfig;
import io.grpc.StatusRuntimeException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One command for a local stack: an embedded PostgreSQL (or {@code POSTGRESQL_URL}), an embedded
 * Temporal server on 127.0.0.1 (or an external one), the demo experiments, and the worker and the
 * HTTP starter built from the same environment variables and classes as in production. Stops it all
 * on Ctrl-C or SIGTERM.
 */
public final class DevStack implements AutoCloseable {
  static final String DATABASE = "abtest";
  static final String DATABASE_USER = "abtest";
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

  private static final Logger log = LoggerFactory.getLogger(DevStack.class);

  private final DevStackConfig config;
  private final Map<String, String> baseEnv;
  private final Logging logging;
  // Started pieces, closed in reverse order: starter, worker, Temporal, database, PostgreSQL.
  private final Deque<Piece> started = new ConcurrentLinkedDeque<>();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Readiness readiness = new Readiness(PROBE_TIMEOUT, Duration.ofMillis(500));

  private EmbeddedPostgres postgres;
  private String databaseUrl;
  private DatabaseSettings databaseSettings;
  private TemporalSettings temporal;
  private WorkflowServiceStubs demoStubs;
  private Optional<DemoSchedule.Pending> demoSchedule = Optional.empty();
  private int seeded;
  private WorkerApp worker;
  private int workerPort;
  private StarterApp starter;
  private boolean authOff;
  private boolean closed;
  private TemporalServer server;
  private TemporalDevServer devServer;
  private volatile int exitCode;

  /** Something started, with the name its stop is logged under. */
  private record Piece(String name, AutoCloseable closeable) {}

  DevStack(DevStackConfig config, Map<String, String> baseEnv, Logging logging) {
    this.config = config;
    this.baseEnv = Map.copyOf(baseEnv);
    this.logging = logging;
  }

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    Map<String, String> vars = new HashMap<>(System.getenv());
    // People read the dev stack's output: text lines unless JSON is asked for.
    vars.putIfAbsent("LOG_FORMAT", "text");
    DevStack stack;
    try {
      Env env = new Env(vars);
      Logging logging = Logging.configure(env);
      stack = new DevStack(DevStackConfig.fromEnv(env), vars, logging);
    } catch (ConfigException e) {
      System.err.println("devstack: " + e.getMessage());
      System.exit(2);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "devstack-shutdown"));
    try {
      stack.start();
    } catch (RuntimeException | IOException e) {
      // The message says what is wrong; the trace is for LOG_LEVEL=debug.
      log.error("The dev stack could not start: {}", e.getMessage());
      log.debug("Start-up failure", e);
      stack.close();
      System.exit(1);
      return;
    }
    stack.printReady(System.out, Duration.ofNanos(System.nanoTime() - t0));
    stack.awaitStop();
    if (stack.exitCode != 0) {
      System.exit(stack.exitCode);
    }
  }

  /** Starts every piece in dependency order; on failure the caller closes what started. */
  void start() throws IOException {
    Files.createDirectories(config.dataDir());
    lockDataDir();
    // Temporal and PostgreSQL do not need each other: start them side by side.
    FutureTask<Void> temporalStart =
        new FutureTask<>(
            () -> {
              startTemporal();
              return null;
            });
    Thread temporalThread = new Thread(temporalStart, "devstack-temporal-start");
    temporalThread.setDaemon(true);
    temporalThread.start();
    try {
      startDatabase();
      seedDemoExperiments();
    } finally {
      // Even when the database failed: what Temporal started must be known to close().
      awaitTemporal(temporalStart);
    }
    Map<String, String> env = processEnv();
    startWorker(env);
    // The starter opens its port last, so its GET /readyz answering 200 means all of it is up.
    awaitReady(Duration.ofSeconds(60));
    // Before the starter opens its port: its /readyz answering 200 means the demo is scheduled.
    scheduleDemo();
    startStarter(env);
    awaitStarterReady(Duration.ofSeconds(30));
  }

  /** Sets the demo's pending schedule (or keeps the one pending); a failure only warns. */
  private void scheduleDemo() {
    try {
      demoSchedule =
          DemoSchedule.ensure(
              new ActivationClient(temporal.client(demoStubs), temporal.taskQueue()),
              Instant.now());
    } catch (RuntimeException e) {
      log.warn(
          "Could not schedule the demo activation of {}: {}",
          DemoSchedule.EXPERIMENT_ID,
          e.toString());
      demoSchedule = Optional.empty();
    }
  }

  /**
   * One dev stack per directory: a second one would take the first one's PostgreSQL over (the
   * embedded launcher stops a postmaster it finds running on its data, taking it for an orphan).
   */
  private void lockDataDir() throws IOException {
    FileChannel channel =
        FileChannel.open(
            config.dataDir().resolve("devstack.lock"),
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock();
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "another dev stack is running on "
              + config.dataDir()
              + ": stop it first, or give this one its own DEVSTACK_DIR");
    }
    started.push(new Piece("lock on " + config.dataDir(), channel));
  }

  private static void awaitTemporal(FutureTask<Void> temporalStart) throws IOException {
    try {
      temporalStart.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting Temporal", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private void startDatabase() throws IOException {
    if (config.databaseUrl().isPresent()) {
      databaseUrl = config.databaseUrl().get();
    } else {
      String password = localPassword(config.dataDir().resolve("postgresql.password"));
      logging.redact(password);
      postgres =
          EmbeddedPostgres.builder()
              .directory(config.dataDir().resolve("postgresql"))
              .user(DATABASE_USER)
              .password(password)
              // close() stops the pieces in order: the worker drains before PostgreSQL goes
              .stopOnJvmExit(false)
              .start();
      started.push(new Piece("PostgreSQL", postgres));
      postgres.createDatabase(DATABASE);
      databaseUrl = postgres.postgresqlUrl(DATABASE);
    }
    try {
      databaseSettings = DatabaseSettings.parse(databaseUrl);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("POSTGRESQL_URL: " + e.getMessage());
    }
  }

  /** The same migrations the worker runs, then the demo rows (the worker's own run is a no-op). */
  private void seedDemoExperiments() {
    Database database = new Database(databaseSettings.withPoolSize(2));
    started.push(new Piece("database pool", database));
    database.migrate();
    seeded = database.jdbi().onDemand(DemoExperiments.class).seed(config.resetSeeds());
    readiness.add("database", () -> database.isReachable(PROBE_TIMEOUT));
    log.info(
        "Demo experiments: {} row(s) written{}",
        seeded,
        config.resetSeeds() ? " (DEVSTACK_RESET_SEEDS: reset to their seed state)" : "");
  }

  private void startTemporal() throws IOException {
    TemporalMode mode = config.temporalMode();
    Optional<Path> cli =
        mode == TemporalMode.AUTO || mode == TemporalMode.CLI ? locateCli() : Optional.empty();
    if (mode == TemporalMode.CLI && cli.isEmpty()) {
      throw new ConfigException(
          "DEVSTACK_TEMPORAL=cli, but no temporal binary was found: " + TemporalCli.INSTALL_HINT);
    }
    if (cli.isPresent()) {
      devServer = startDevServer(cli.get());
      server = devServer;
      started.push(new Piece("Temporal dev server", devServer));
    } else if (mode != TemporalMode.EXTERNAL) {
      try {
        server = LoopbackTemporalServer.start(config.temporalPort());
      } catch (IOException e) {
        throw new IOException(
            e.getMessage()
                + ": is another Temporal server (temporal server start-dev?) using the port? Set"
                + " TEMPORAL_ADDRESS=127.0.0.1:<free port>, or DEVSTACK_TEMPORAL=external to use it",
            e);
      }
      started.push(new Piece("Temporal server", server));
      if (mode == TemporalMode.AUTO) {
        log.info(
            "No temporal binary found: using the embedded test server (no Web UI, nothing kept"
                + " across restarts). For the real dev server and its Web UI: {}",
            TemporalCli.INSTALL_HINT);
      }
    }
    temporal =
        TemporalSettings.fromEnv(new Env(temporalEnv()), ActivationContract.DEFAULT_TASK_QUEUE);
    WorkflowServiceStubs stubs = temporal.connectLazily();
    started.push(
        new Piece(
            "Temporal connection",
            () -> {
              stubs.shutdownNow();
              stubs.awaitTermination(2, TimeUnit.SECONDS);
            }));
    try {
      new SearchAttributeSetup(stubs, temporal.namespace(), PROBE_TIMEOUT)
          .ensure(ActivationContract.SEARCH_ATTRIBUTES);
    } catch (StatusRuntimeException e) {
      throw new IllegalStateException(
          "Temporal at "
              + temporal.address()
              + " does not answer ("
              + e.getStatus().getCode()
              + (config.startsTemporal()
                  ? ")"
                  : "): start it first, e.g. `temporal server start-dev`, or drop"
                      + " DEVSTACK_TEMPORAL=external to let the dev stack start one"),
          e);
    }
    readiness.add(TemporalProbe.check(stubs, PROBE_TIMEOUT));
    demoStubs = stubs;
  }

  private Optional<Path> locateCli() {
    try {
      return TemporalCli.locate(baseEnv, Path.of(""));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /**
   * The CLI's dev server, its SQLite file and log under {@code DEVSTACK_DIR/temporal}, the
   * activation search attributes registered at start. Should it exit later, the dev stack stops
   * with one line and a non-zero code.
   */
  private TemporalDevServer startDevServer(Path cli) throws IOException {
    Path dir = config.dataDir().resolve("temporal");
    Map<String, String> attributes = new LinkedHashMap<>();
    SearchAttributeSetup.types(ActivationContract.SEARCH_ATTRIBUTES)
        .forEach((name, type) -> attributes.put(name, SearchAttributeSetup.cliTypeName(type)));
    TemporalDevServer.Options options =
        TemporalDevServer.Options.of(cli, dir.resolve("dev-server.log"))
            .withPort(config.temporalPort())
            .withUiPort(config.uiPort())
            .withDbFile(dir.resolve("temporal.db"))
            .withSearchAttributes(attributes)
            .onUnexpectedExit(this::fail);
    return TemporalDevServer.start(options);
  }

  /** Something the stack needs ended on its own: say so in one line, stop the rest, exit 1. */
  private void fail(String line) {
    log.error("{}: stopping the dev stack", line);
    exitCode = 1;
    Thread stopper = new Thread(this::close, "devstack-stop");
    stopper.start();
  }

  private void startWorker(Map<String, String> env) {
    Map<String, String> workerEnv = new HashMap<>(env);
    workerEnv.put("HTTP_PORT", Integer.toString(config.workerHttpPort()));
    WorkerConfig workerConfig = WorkerConfig.fromEnv(new Env(workerEnv));
    logging.redactAll(workerConfig.secrets());
    worker = new WorkerApp(workerConfig);
    started.push(new Piece("worker", worker));
    worker.start();
    workerPort = worker.httpPort();
    readiness.add("worker", () -> worker.readiness().isReady());
  }

  private void startStarter(Map<String, String> env) {
    Map<String, String> starterEnv = new HashMap<>(env);
    starterEnv.put("HTTP_PORT", Integer.toString(config.httpPort()));
    StarterConfig starterConfig = StarterConfig.fromEnv(new Env(starterEnv));
    logging.redactAll(starterConfig.secrets());
    starter = new StarterApp(starterConfig);
    started.push(new Piece("starter", starter));
    starter.start();
  }

  /**
   * The environment the worker and the starter read, exactly as a deployment would set it: the
   * user's own variables, with the database and Temporal the dev stack started.
   */
  private Map<String, String> processEnv() {
    Map<String, String> env = temporalEnv();
    env.put("POSTGRESQL_URL", databaseUrl);
    env.putIfAbsent("HTTP_HOST", "127.0.0.1");
    // Short drains: Ctrl-C should stop a local stack in a few seconds (production waits longer).
    env.putIfAbsent("SHUTDOWN_DRAIN_TIMEOUT", "2s");
    // A fresh JVM's first workflow start loads many classes: give it time instead of a 503.
    env.putIfAbsent("ACTIVATION_START_TIMEOUT", "10s");
    boolean anyAuthSetting = env.keySet().stream().anyMatch(name -> name.startsWith("AUTH_"));
    if (!anyAuthSetting) {
      env.put("AUTH_MODE", "none");
    }
    authOff = "none".equalsIgnoreCase(env.getOrDefault("AUTH_MODE", "jwt").strip());
    return env;
  }

  /** The user's variables with the Temporal address the dev stack serves or was told to use. */
  private Map<String, String> temporalEnv() {
    Map<String, String> env = new HashMap<>(baseEnv);
    env.put("TEMPORAL_ADDRESS", config.temporalAddress());
    return env;
  }

  private void awaitReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!readiness.report().ready()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "not ready after " + timeout.toSeconds() + " s: " + readiness.report().toJson());
      }
      sleep(Duration.ofMillis(50));
    }
  }

  private void awaitStarterReady(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!starter.isReady()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "the starter is not ready after " + timeout.toSeconds() + " s");
      }
      sleep(Duration.ofMillis(50));
    }
  }

  void printReady(PrintStream out, Duration startup) {
    String http = starter.baseUri().toString();
    String line = "=".repeat(78);
    StringBuilder b = new StringBuilder("\n").append(line).append('\n');
    b.append(String.format(" Dev stack ready in %.1f s%n", startup.toMillis() / 1000.0));
    b.append(String.format("   HTTP starter     %s  (GET /readyz)%n", http));
    b.append(String.format("   Worker ops       %s  (/readyz, /metrics)%n", workerBaseUrl()));
    b.append(
        String.format(
            "   Temporal gRPC    %s  (%s, namespace %s, task queue %s)%n",
            temporal.address(), engineDescription(), temporal.namespace(), temporal.taskQueue()));
    b.append(
        String.format(
            "   PostgreSQL       %s as %s%s%n",
            databaseSettings.redactedUrl(),
            databaseSettings.user(),
            postgres != null
                ? " (embedded; password in " + config.dataDir().resolve("postgresql.password") + ")"
                : " (POSTGRESQL_URL)"));
    b.append(String.format("   Data directory   %s%n", config.dataDir()));
    b.append(
        String.format(
            "   Demo experiments %s%s%n",
            String.join(" ", DemoExperiments.IDS), seeded == 0 ? " (kept from the last run)" : ""));
    if (devServer != null && devServer.uiUrl().isPresent()) {
      String ui = devServer.uiUrl().get();
      b.append(
          String.format(
              "   Web UI           %s/namespaces/%s/workflows%n", ui, temporal.namespace()));
      b.append(
          String.format(
              "   The seed's runs  %s%n",
              webUiQueryLink(ui, temporal.namespace(), "ExperimentId = \"exp_123456\"")));
    } else if (config.temporalMode() == TemporalMode.EXTERNAL) {
      b.append(
          "   Web UI           the external server's (temporal server start-dev: http://localhost:8233)\n");
    } else {
      b.append(
          "   Web UI           none with the embedded test server: "
              + TemporalCli.INSTALL_HINT
              + ", then restart\n");
    }
    demoSchedule.ifPresent(
        demo ->
            b.append(
                String.format(
                    "   Scheduled demo   %s activates at %s (scheduled by %s%s)%s%n",
                    DemoSchedule.EXPERIMENT_ID,
                    demo.schedule().activateAt(),
                    demo.schedule().scheduledBy(),
                    demo.kept() ? "; kept from the last start" : "",
                    devServer != null && devServer.uiUrl().isPresent()
                        ? "; pending: "
                            + webUiQueryLink(
                                devServer.uiUrl().get(),
                                temporal.namespace(),
                                "ExecutionStatus = \"Running\" AND ActivationScheduledFor > \""
                                    + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                                    + "\"")
                        : server != null
                            ? " (the embedded test server keeps it only while the dev stack runs)"
                            : "")));
    if (authOff) {
      b.append(
          "   WARNING          authentication is OFF (AUTH_MODE=none): anyone who can reach the"
              + " port can activate experiments\n");
    }
    b.append(" Activate the seed's example:\n");
    b.append(
        String.format(
            "   curl -sS -X POST %s/api/nous/ab-testing/experiments/activate"
                + " -H 'Content-Type: application/json' -d '{\"experimentId\": \"exp_123456\"}'%n",
            http));
    b.append(" Ctrl-C stops everything.\n").append(line).append('\n');
    out.print(b);
    out.flush();
  }

  private String engineDescription() {
    if (devServer != null) {
      return devServer.engine() + ", histories kept in " + devServer.dbFile().orElseThrow();
    }
    if (server != null) {
      return "embedded test server, in memory: histories and timers end with the dev stack";
    }
    return "external server";
  }

  /** A link that opens the Web UI's workflow list filtered by a visibility query. */
  static String webUiQueryLink(String uiUrl, String namespace, String query) {
    return uiUrl
        + "/namespaces/"
        + URLEncoder.encode(namespace, StandardCharsets.UTF_8)
        + "/workflows?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private String workerBaseUrl() {
    String host = baseEnv.getOrDefault("HTTP_HOST", "127.0.0.1");
    return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + workerPort;
  }

  void awaitStop() {
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the starter (draining requests), the worker (draining tasks), Temporal, PostgreSQL. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    log.info("Stopping the dev stack");
    while (!started.isEmpty()) {
      Piece piece = started.pop();
      long t0 = System.nanoTime();
      try {
        piece.closeable().close();
        log.info("Stopped the {} in {} ms", piece.name(), (System.nanoTime() - t0) / 1_000_000);
      } catch (Exception e) {
        log.warn("Stopping the {} failed: {}", piece.name(), e.toString());
      }
    }
    readiness.close();
    log.info("Dev stack stopped");
    stopped.countDown();
  }

  /**
   * The embedded database's password: random on the first run, then kept (owner-only) beside the
   * data, so the cluster initdb created stays reachable.
   */
  private static String localPassword(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String password = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, password + "\n");
    return password;
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting", e);
    }
  }
}
