package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.TemporalCli;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ServiceProcess;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker-compose.yml's production topology run as processes, without Docker: two PostgreSQL servers
 * of the compose major version (the embedded binaries), compose's own {@code setup-schema.sh} and
 * {@code create-namespace.sh} unchanged, {@code temporal-server} built from the Go module proxy at
 * the version compose pins ({@code scripts/install-temporal-server}) and started the way its
 * image's entrypoint does ({@code temporal-server start}: the configuration rendered from the
 * environment by the server's embedded template), then {@code worker.jar} and {@code starter.jar}.
 * Every process gets the environment compose gives its container, read from the file; the only
 * changes are what a container network gives and loopback does not (service names become 127.0.0.1,
 * container ports become free ports, wildcard binds become loopback) and where the images keep
 * files (the mounted scripts and dynamic config, the schema folder).
 *
 * <p>Runs when the binaries are built (the test command's {@code .ci/run} builds them); {@code
 * -DproductionTopology=required} makes their absence a failure, {@code =skip} skips it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(OrderAnnotation.class)
class ProductionTopologyIT {
  private static final String LOOPBACK = "127.0.0.1";
  private static final String ACTIVATE = "/api/nous/ab-testing/experiments/activate";
  private static final Duration STEP_BUDGET = Duration.ofMinutes(4);
  private static final Duration START_BUDGET = Duration.ofMinutes(3);
  private static final String ROLE = "experiments:activate";

  /** The ports the server's embedded config template reads, one per listener of the one process. */
  private static final List<String> SERVER_PORTS =
      List.of(
          "FRONTEND_GRPC_PORT",
          "FRONTEND_HTTP_PORT",
          "FRONTEND_MEMBERSHIP_PORT",
          "HISTORY_GRPC_PORT",
          "HISTORY_MEMBERSHIP_PORT",
          "MATCHING_GRPC_PORT",
          "MATCHING_MEMBERSHIP_PORT",
          "WORKER_GRPC_PORT",
          "WORKER_MEMBERSHIP_PORT");

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Deque<AutoCloseable> running = new ArrayDeque<>();
  private final Map<String, String> serverPorts = new LinkedHashMap<>();

  private Path root;
  private Path work;
  private Path logs;
  private Path home;
  private Path serverHome;
  private Path cli;
  private ComposeServices compose;
  private String jwtSecret;
  private EmbeddedPostgres appDb;
  private EmbeddedPostgres temporalDb;
  private Process temporal;
  private int workerPort;
  private int starterPort;

  @BeforeAll
  void composeUp() throws Exception {
    root = repositoryRoot();
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    // What a user exports (or puts in .env) before `docker compose up`: only the required secret.
    jwtSecret = Base64.getEncoder().encodeToString(secret);
    compose = ComposeServices.load(root, Map.of("AUTH_JWT_SECRET", jwtSecret));
    locateBinariesOrSkip();

    work = root.resolve("devstack/target/production-it/run-" + System.currentTimeMillis());
    logs = work.resolve("logs");
    home = work.resolve("home");
    Files.createDirectories(logs);
    Files.createDirectories(home);

    appDb = startPostgres("postgresql", work.resolve("app-db"));
    temporalDb = startPostgres("temporal-postgresql", work.resolve("temporal-db"));

    // temporal-schema, then temporal (healthy), then temporal-namespace: compose's depends_on.
    assertThat(runStep("temporal-schema", 1)).contains("Temporal schemas are up to date");
    for (String name : SERVER_PORTS) {
      serverPorts.put(name, Integer.toString(freeServerPort()));
    }
    startTemporal(1);
    assertThat(runStep("temporal-namespace", 1))
        .contains(
            "is ready with search attributes: ExperimentId=Keyword ActivationOutcome=Keyword"
                + " ActivationScheduledFor=Datetime");

    workerPort = ServiceProcess.freeLoopbackPort();
    Process worker = startJar("worker", workerPort);
    awaitReady("worker", worker, workerPort);
    // The worker has migrated the application database; the demo rows give every contract case.
    try (Database database = new Database(DatabaseSettings.parse(appUrl()).withPoolSize(1))) {
      database.jdbi().onDemand(DemoExperiments.class).seed(false);
    }
    starterPort = ServiceProcess.freeLoopbackPort();
    Process starter = startJar("starter", starterPort);
    awaitReady("starter", starter, starterPort);
  }

  @AfterAll
  void composeDown() throws Exception {
    while (!running.isEmpty()) {
      running.pop().close();
    }
  }

  @Test
  @Order(1)
  void theStarterAnswersTheContractThroughTheRealServer() throws Exception {
    assertThat(activate("exp_123456", token())).satisfies(r -> assertStatus(r, 200, "\"ACTIVE\""));
    assertThat(activate("exp_123456", token()))
        .satisfies(r -> assertStatus(r, 409, "ALREADY_ACTIVE"));
    assertThat(activate("exp_bad_config", token()))
        .satisfies(r -> assertStatus(r, 422, "WEIGHTS_DO_NOT_SUM_TO_ONE"));
    assertThat(activate("exp_missing", token())).satisfies(r -> assertStatus(r, 404, "NOT_FOUND"));
    // compose sets AUTH_MODE=jwt: no token, no activation.
    assertThat(activate("exp_stopped", null))
        .satisfies(r -> assertStatus(r, 401, "UNAUTHENTICATED"));
  }

  @Test
  @Order(2)
  void aComposeRestartKeepsHistoryAndSearchAttributesAndItsStepsRunAgain() throws Exception {
    stop(temporal, Duration.ofSeconds(60));
    // `docker compose up` again: the schema step runs on the existing databases and changes
    // nothing.
    assertThat(runStep("temporal-schema", 2)).contains("Temporal schemas are up to date");
    startTemporal(2);
    assertThat(runStep("temporal-namespace", 2))
        .contains(
            "namespace default exists",
            "search attribute ExperimentId exists",
            "search attribute ActivationOutcome exists");

    // The first run's history and its search attributes are still in PostgreSQL.
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(LOOPBACK + ":" + serverPorts.get("FRONTEND_GRPC_PORT"))
                .build());
    try {
      String query = "ExperimentId = 'exp_123456' AND ActivationOutcome = 'ACTIVATED'";
      List<WorkflowExecutionInfo> activated = new ArrayList<>();
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofSeconds(1))
          .untilAsserted(
              () -> {
                activated.clear();
                activated.addAll(
                    stubs
                        .blockingStub()
                        .listWorkflowExecutions(
                            ListWorkflowExecutionsRequest.newBuilder()
                                .setNamespace("default")
                                .setQuery(query)
                                .build())
                        .getExecutionsList());
                assertThat(activated).as("runs matching %s", query).hasSize(1);
              });
      WorkflowExecutionInfo run = activated.get(0);
      assertThat(run.getSearchAttributes().getIndexedFieldsMap())
          .containsKeys("ExperimentId", "ActivationOutcome");
      List<HistoryEvent> history =
          stubs
              .blockingStub()
              .getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace("default")
                      .setExecution(run.getExecution())
                      .build())
              .getHistory()
              .getEventsList();
      assertThat(history.get(0).getEventType())
          .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
      HistoryEvent last = history.get(history.size() - 1);
      assertThat(last.getEventType()).isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
      assertThat(
              last.getWorkflowExecutionCompletedEventAttributes()
                  .getResult()
                  .getPayloads(0)
                  .getData()
                  .toStringUtf8())
          .contains("\"outcome\":\"ACTIVATED\"");
    } finally {
      stubs.shutdown();
      stubs.awaitTermination(5, TimeUnit.SECONDS);
    }
    // The starter reads the latest run (the 409's) from the restarted server too.
    assertThat(get("/api/nous/ab-testing/experiments/activations/exp_123456", token()))
        .satisfies(r -> assertStatus(r, 200, "ALREADY_ACTIVE"));

    // The worker and the starter kept running through the restart and reconnect on their own.
    awaitReady("worker", null, workerPort);
    awaitReady("starter", null, starterPort);
    assertThat(activate("exp_stopped", token())).satisfies(r -> assertStatus(r, 200, "\"ACTIVE\""));
  }

  // ---- the services ----

  private void locateBinariesOrSkip() {
    String mode = System.getProperty("productionTopology", "auto");
    Assumptions.assumeFalse(mode.equals("skip"), "-DproductionTopology=skip");
    String version = compose.imageTag("temporal");
    assertThat(compose.imageTag("temporal-schema")).isEqualTo(version);
    assertThat(compose.imageTag("temporal-namespace")).isEqualTo(version);
    Optional<Path> built = serverBinaries(version);
    Optional<Path> temporalCli = TemporalCli.locate();
    String hint =
        "needs temporal-server v"
            + version
            + " (scripts/install-temporal-server) and the Temporal CLI"
            + " (scripts/install-temporal-cli)";
    if (mode.equals("required")) {
      assertThat(built).as(hint).isPresent();
      assertThat(temporalCli).as(hint).isPresent();
    }
    Assumptions.assumeTrue(built.isPresent() && temporalCli.isPresent(), hint);
    serverHome = built.get();
    cli = temporalCli.get();
  }

  private Optional<Path> serverBinaries(String version) {
    String explicit = System.getenv().getOrDefault("TEMPORAL_SERVER_HOME", "");
    List<Path> candidates = new ArrayList<>();
    if (!explicit.isBlank()) {
      candidates.add(Path.of(explicit));
    }
    candidates.add(root.resolve(".tools/temporal-server-" + version));
    return candidates.stream()
        .filter(dir -> Files.isExecutable(dir.resolve("temporal-server")))
        .filter(dir -> Files.isExecutable(dir.resolve("temporal-sql-tool")))
        .findFirst();
  }

  /** A compose postgres service: its user, password and database, on a free loopback port. */
  private EmbeddedPostgres startPostgres(String service, Path dir)
      throws IOException, SQLException {
    Map<String, String> env = compose.environment(service);
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .directory(dir)
            .user(env.get("POSTGRES_USER"))
            .password(env.get("POSTGRES_PASSWORD"))
            .start();
    running.push(postgres);
    assertThat(compose.image(service))
        .as("the compose image has the embedded server's major version")
        .startsWith("postgres:" + majorVersion(postgres) + ".");
    String database = env.get("POSTGRES_DB");
    if (!database.equals("postgres")) {
      postgres.createDatabase(database);
    }
    return postgres;
  }

  private void startTemporal(int run) throws Exception {
    Map<String, String> env = compose.environment("temporal");
    replace(env, "POSTGRES_SEEDS", "temporal-postgresql", LOOPBACK);
    replace(env, "DB_PORT", "5432", Integer.toString(temporalDb.port()));
    replace(env, "BIND_ON_IP", "0.0.0.0", LOOPBACK);
    env.put(
        "DYNAMIC_CONFIG_FILE_PATH",
        compose.hostPathOf("temporal", env.get("DYNAMIC_CONFIG_FILE_PATH")).toString());
    // In the container every service listens on the template's default ports; here they must be
    // free ones, and the same ones across the restart.
    env.putAll(serverPorts);
    // The image's entrypoint: `exec temporal-server start`, no flags, so the server renders its
    // embedded config template from this environment.
    temporal =
        spawn(
            "temporal-" + run,
            List.of(serverHome.resolve("temporal-server").toString(), "start"),
            withBasics(env));
    Process process = temporal;
    running.push(() -> stop(process, Duration.ofSeconds(60)));
    // compose's health check: the frontend's gRPC port accepts connections.
    int port = Integer.parseInt(serverPorts.get("FRONTEND_GRPC_PORT"));
    long deadline = System.nanoTime() + START_BUDGET.toNanos();
    while (!answers(port)) {
      assertThat(temporal.isAlive())
          .as("temporal-server exited; log:%n%s", tail(temporalLog(run)))
          .isTrue();
      assertThat(System.nanoTime()).as("temporal-server not listening").isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** A one-shot compose service: its entrypoint with the mounted script, to exit 0. */
  private String runStep(String service, int run) throws Exception {
    Map<String, String> env = compose.environment(service);
    switch (service) {
      case "temporal-schema" -> {
        replace(env, "SQL_HOST", "temporal-postgresql", LOOPBACK);
        replace(env, "SQL_PORT", "5432", Integer.toString(temporalDb.port()));
        // admin-tools keeps the schemas in /etc/temporal/schema; the install script copies the
        // same module folder beside the binaries.
        env.put("TEMPORAL_SCHEMA_DIR", serverHome.resolve("schema/postgresql/v12").toString());
      }
      case "temporal-namespace" ->
          replace(
              env,
              "TEMPORAL_ADDRESS",
              "temporal:7233",
              LOOPBACK + ":" + serverPorts.get("FRONTEND_GRPC_PORT"));
      default -> throw new IllegalArgumentException(service);
    }
    List<String> command = new ArrayList<>(compose.entrypoint(service));
    assertThat(command).hasSize(2).first().isEqualTo("/bin/sh");
    command.set(1, compose.hostPathOf(service, command.get(1)).toString());
    String name = service + "-" + run;
    Process process = spawn(name, command, withBasics(env));
    long deadline = System.nanoTime() + STEP_BUDGET.toNanos();
    boolean exited = false;
    while (!exited && System.nanoTime() < deadline) {
      exited = process.waitFor(1, TimeUnit.SECONDS);
      if (!exited && service.equals("temporal-namespace") && !temporal.isAlive()) {
        process.destroyForcibly();
        throw new AssertionError("temporal-server exited; log:\n" + tail(temporalLog(run)));
      }
    }
    if (!exited) {
      process.destroyForcibly();
    }
    assertThat(exited).as("%s finished; log:%n%s", name, log(name)).isTrue();
    assertThat(process.exitValue()).as("%s exit code; log:%n%s", name, log(name)).isZero();
    return log(name);
  }

  private Process startJar(String service, int port) throws IOException {
    Map<String, String> env = compose.environment(service);
    String url = env.get("POSTGRESQL_URL");
    assertThat(url).contains("@postgresql:5432/");
    env.put(
        "POSTGRESQL_URL",
        url.replace("@postgresql:5432/", "@" + LOOPBACK + ":" + appDb.port() + "/"));
    replace(
        env,
        "TEMPORAL_ADDRESS",
        "temporal:7233",
        LOOPBACK + ":" + serverPorts.get("FRONTEND_GRPC_PORT"));
    replace(env, "HTTP_HOST", "0.0.0.0", LOOPBACK);
    env.put("HTTP_PORT", Integer.toString(port));
    Path jar =
        Path.of(
            System.getProperty(service + ".jar", "../" + service + "/target/" + service + ".jar"));
    assertThat(jar).as("the packaged %s (mvn package)", service).isRegularFile();
    // The Dockerfile's ENTRYPOINT, with a heap cap instead of a share of the container's memory.
    Process process =
        spawn(
            service,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m",
                "-XX:+ExitOnOutOfMemoryError",
                "-jar",
                jar.toAbsolutePath().toString()),
            withBasics(env));
    running.push(() -> stop(process, Duration.ofSeconds(45)));
    return process;
  }

  /** compose's health check of the worker and the starter: GET /readyz answers 200. */
  private void awaitReady(String name, Process process, int port) throws Exception {
    long deadline = System.nanoTime() + START_BUDGET.toNanos();
    while (true) {
      if (process != null) {
        assertThat(process.isAlive()).as("%s exited; log:%n%s", name, log(name)).isTrue();
      }
      try {
        HttpResponse<String> ready = send(port, HttpRequest.newBuilder().GET(), "/readyz");
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      assertThat(System.nanoTime())
          .as("%s not ready; log:%n%s", name, log(name))
          .isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  /** What every container has besides its compose environment: a PATH with its tools, a HOME. */
  private Map<String, String> withBasics(Map<String, String> env) {
    Map<String, String> all = new LinkedHashMap<>(env);
    all.put(
        "PATH",
        String.join(":", serverHome.toString(), cli.getParent().toString(), "/usr/bin", "/bin"));
    all.put("HOME", home.toString());
    return all;
  }

  private Process spawn(String name, List<String> command, Map<String, String> env)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile())
            .redirectErrorStream(true)
            .redirectOutput(Redirect.appendTo(logs.resolve(name + ".log").toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);
    return builder.start();
  }

  private static void stop(Process process, Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM, as `docker compose stop` sends
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** Replaces a compose value that only makes sense inside the container network, checking it. */
  private static void replace(Map<String, String> env, String name, String inCompose, String here) {
    assertThat(env.get(name)).as("docker-compose.yml's %s", name).isEqualTo(inCompose);
    env.put(name, here);
  }

  private String appUrl() {
    Map<String, String> env = compose.environment("postgresql");
    return "postgresql://"
        + env.get("POSTGRES_USER")
        + ":"
        + env.get("POSTGRES_PASSWORD")
        + "@"
        + LOOPBACK
        + ":"
        + appDb.port()
        + "/"
        + env.get("POSTGRES_DB");
  }

  // ---- HTTP ----

  private String token() throws Exception {
    Map<String, String> env = compose.environment("starter");
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder()
                .subject("production-it")
                .claim(env.get("AUTH_ROLE_CLAIM"), List.of(env.get("AUTH_REQUIRED_ROLE")))
                .issueTime(new java.util.Date())
                .expirationTime(java.util.Date.from(Instant.now().plusSeconds(600)))
                .build());
    jwt.sign(new MACSigner(jwtSecret.getBytes(StandardCharsets.UTF_8)));
    assertThat(env.get("AUTH_REQUIRED_ROLE")).isEqualTo(ROLE);
    return jwt.serialize();
  }

  private HttpResponse<String> activate(String experimentId, String token) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder()
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"experimentId\": \"" + experimentId + "\"}"));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return send(starterPort, request, ACTIVATE);
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return send(
        starterPort,
        HttpRequest.newBuilder().header("Authorization", "Bearer " + token).GET(),
        path);
  }

  private HttpResponse<String> send(int port, HttpRequest.Builder request, String path)
      throws IOException, InterruptedException {
    return http.send(
        request
            .uri(URI.create("http://" + LOOPBACK + ":" + port + path))
            .timeout(Duration.ofSeconds(30))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertStatus(HttpResponse<String> response, int status, String bodyPart) {
    assertThat(response.statusCode()).as("status; body %s", response.body()).isEqualTo(status);
    assertThat(response.body()).contains(bodyPart);
  }

  // ---- helpers ----

  private String temporalLog(int run) {
    return log("temporal-" + run);
  }

  private static String tail(String log) {
    return log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000);
  }

  private String log(String name) {
    try {
      return Files.readString(logs.resolve(name + ".log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** The running server's major version ("17" for 17.6). */
  private static String majorVersion(EmbeddedPostgres postgres) throws SQLException {
    try (Connection connection =
            DriverManager.getConnection(
                postgres.jdbcUrl("postgres"), postgres.user(), postgres.password());
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery("SHOW server_version")) {
      result.next();
      return result.getString(1).split("\\.")[0];
    }
  }

  private static boolean answers(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A free port the server can record: its cluster_membership table keeps the port in a PostgreSQL
   * smallint, so an ephemeral port above 32767 stops the server at start.
   */
  private int freeServerPort() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 20000 + random.nextInt(12000);
      if (serverPorts.containsValue(Integer.toString(port))) {
        continue;
      }
      try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port in 20000-31999");
  }

  private static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no docker-compose.yml above " + Path.of("").toAbsolutePath());
  }
}
