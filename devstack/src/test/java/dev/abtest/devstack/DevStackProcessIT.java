package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.embedded.TemporalServers;
import dev.abtest.testing.ServiceProcess;
import java.io.IOException;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Starts {@code devstack.jar} the way a user does ({@code java -jar}, one process), talks to it
 * over HTTP only, and stops it with SIGTERM. On the Temporal CLI's dev server when one is installed
 * (the test command installs it), else on the embedded test server.
 */
class DevStackProcessIT {
  private static final String ACTIVATE = "/api/nous/ab-testing/experiments/activate";
  private static final Duration START_BUDGET = Duration.ofSeconds(180);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final List<Process> processes = new ArrayList<>();
  private Path dataDir;
  private Path logDir;
  private int httpPort;
  private int workerPort;
  private int temporalPort;
  private int uiPort;

  /** The real dev server when a CLI is installed (the test command installs it). */
  private final java.util.Optional<Path> cli = TemporalServers.cliForTests();

  @BeforeEach
  void freshDirectoryAndPorts(TestInfo test) throws IOException {
    Path work = Path.of(System.getProperty("devstack.workDir", "target/it"));
    String name = test.getTestMethod().orElseThrow().getName();
    dataDir = work.resolve(name + "-" + System.nanoTime()).toAbsolutePath();
    logDir = dataDir.resolveSibling(dataDir.getFileName() + "-logs");
    Files.createDirectories(logDir);
    httpPort = ServiceProcess.freeLoopbackPort();
    workerPort = ServiceProcess.freeLoopbackPort();
    temporalPort = ServiceProcess.freeLoopbackPort();
    uiPort = ServiceProcess.freeLoopbackPort();
  }

  @AfterEach
  void killLeftoversAndDropTheData() throws Exception {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    // The logs stay for a post-mortem; binaries and data (~100 MB) go.
    if (Files.exists(dataDir)) {
      try (Stream<Path> files = Files.walk(dataDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void activatesTheDemoExperimentsOverHttpAndStopsCleanlyOnSigterm() throws Exception {
    Process stack = start(1);

    assertThat(activate("exp_123456")).satisfies(r -> assertStatus(r, 200, "\"success\":true"));
    assertThat(activate("exp_123456")).satisfies(r -> assertStatus(r, 409, "ALREADY_ACTIVE"));
    assertThat(activate("exp_completed")).satisfies(r -> assertStatus(r, 422, "REJECTED"));
    assertThat(activate("exp_missing")).satisfies(r -> assertStatus(r, 404, "NOT_FOUND"));

    stopAndCheckNothingIsLeft(stack);
  }

  @Test
  void aRestartWithTheSameDirectoryKeepsTheDatabase() throws Exception {
    Process first = start(1);
    assertThat(activate("exp_123456")).satisfies(r -> assertStatus(r, 200, "ACTIVE"));
    stopAndCheckNothingIsLeft(first);

    Process second = start(2);
    if (cli.isPresent()) {
      // The dev server's SQLite file is under DEVSTACK_DIR: the first run's history is still there.
      assertThat(get("/api/nous/ab-testing/experiments/activations/exp_123456"))
          .satisfies(r -> assertStatus(r, 200, "ACTIVATED"));
    }
    assertThat(activate("exp_123456")).satisfies(r -> assertStatus(r, 409, "ALREADY_ACTIVE"));
    // Seeds are inserted only where missing: the untouched ones are still there as seeded.
    assertThat(activate("exp_stopped")).satisfies(r -> assertStatus(r, 200, "\"success\":true"));
    stopAndCheckNothingIsLeft(second);
  }

  @Test
  void theDemoScheduleIsSeededAtStartAndAPendingOneIsKeptOnARestart() throws Exception {
    Assumptions.assumeTrue(
        cli.isPresent(), "needs the Temporal CLI (scripts/install-temporal-cli)");
    Instant before = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Process first = start(1);
    Instant at = Instant.parse(demoScheduleIn(log(1), false));
    // Five minutes after the start, so it is still pending when the restart below is done.
    assertThat(at)
        .isAfterOrEqualTo(before.plus(DemoSchedule.AHEAD))
        .isBefore(Instant.now().plus(DemoSchedule.AHEAD).plusSeconds(1));
    assertThat(log(1))
        .contains("ExecutionStatus%20%3D%20%22Running%22%20AND%20ActivationScheduledFor");
    HttpResponse<String> pending =
        get("/api/nous/ab-testing/experiments/activations/exp_scheduled");
    assertStatus(pending, 200, "\"scheduledBy\":\"devstack-demo\"");
    assertThat(activateAtIn(pending.body())).isEqualTo(at);
    assertThat(pending.body()).contains("RUNNING");
    String runId = runIdIn(pending.body());
    stopAndCheckNothingIsLeft(first);

    Process second = start(2);
    // The dev server kept the run in its database file: the same run and time, not a new one.
    assertThat(demoScheduleIn(log(2), true)).isEqualTo(at.toString());
    HttpResponse<String> kept = get("/api/nous/ab-testing/experiments/activations/exp_scheduled");
    assertStatus(kept, 200, "\"scheduledBy\":\"devstack-demo\"");
    assertThat(activateAtIn(kept.body())).isEqualTo(at);
    assertThat(runIdIn(kept.body())).isEqualTo(runId);
    // One SCHEDULED in the audit: the restart scheduled nothing again.
    HttpResponse<String> history =
        get("/api/nous/ab-testing/experiments/activations?experimentId=exp_scheduled");
    assertStatus(history, 200, "\"records\"");
    assertThat(history.body().split("\"outcome\":\"SCHEDULED\"", -1))
        .as("one SCHEDULED record in %s", history.body())
        .hasSize(2);
    assertThat(history.body()).doesNotContain("RESCHEDULED");
    stopAndCheckNothingIsLeft(second);
  }

  /** The time in the ready block's "Scheduled demo" line; {@code kept}: marked as kept or not. */
  private static String demoScheduleIn(String log, boolean kept) {
    java.util.regex.Matcher line =
        java.util.regex.Pattern.compile(
                "Scheduled demo\\s+exp_scheduled activates at (\\S+) \\(scheduled by"
                    + " devstack-demo(; kept from the last start)?\\)")
            .matcher(log);
    assertThat(line.find()).as("the ready block's scheduled demo line; log:%n%s", log).isTrue();
    assertThat(line.group(2) != null).as("marked as kept from the last start").isEqualTo(kept);
    return line.group(1);
  }

  private static Instant activateAtIn(String body) {
    java.util.regex.Matcher at =
        java.util.regex.Pattern.compile("\"activateAt\":\"([^\"]+)\"").matcher(body);
    assertThat(at.find()).as("activateAt in %s", body).isTrue();
    return Instant.parse(at.group(1));
  }

  private static String runIdIn(String body) {
    java.util.regex.Matcher runId =
        java.util.regex.Pattern.compile("\"runId\":\"([^\"]+)\"").matcher(body);
    assertThat(runId.find()).as("runId in %s", body).isTrue();
    return runId.group(1);
  }

  @Test
  void onTheDevServerTheWebUiAnswersAndTheReadyBlockLinksTheFilteredList() throws Exception {
    Assumptions.assumeTrue(
        cli.isPresent(), "needs the Temporal CLI (scripts/install-temporal-cli)");
    Process stack = start(1);
    assertThat(log(1))
        .contains("Temporal CLI dev server")
        .contains(
            "http://127.0.0.1:"
                + uiPort
                + "/namespaces/default/workflows?query=ExperimentId%20%3D%20%22exp_123456%22");
    HttpResponse<String> ui =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + uiPort + "/"))
                .timeout(Duration.ofSeconds(10))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(ui.statusCode()).isEqualTo(200);
    assertThat(ui.body()).containsIgnoringCase("<html");
    stopAndCheckNothingIsLeft(stack);
  }

  @Test
  void aSigkilledDevStackLeavesNoTemporalServerBehind() throws Exception {
    Assumptions.assumeTrue(
        cli.isPresent(), "needs the Temporal CLI (scripts/install-temporal-cli)");
    Process stack = start(1);
    List<ProcessHandle> servers =
        stack
            .descendants()
            .filter(p -> p.info().commandLine().map(c -> c.contains("start-dev")).orElse(false))
            .toList();
    assertThat(servers).as("the dev server runs as a child").isNotEmpty();
    stack.destroyForcibly(); // SIGKILL: no shutdown hook runs
    stack.waitFor(10, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (servers.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(servers)
        .as("the dev server after SIGKILL of its parent")
        .noneMatch(ProcessHandle::isAlive);
    assertThat(canBind(temporalPort)).as("gRPC port free").isTrue();
    assertThat(canBind(uiPort)).as("Web UI port free").isTrue();
    // The embedded PostgreSQL has no such guard: the next start takes its orphan over; here it
    // goes.
    postgresProcessesUsing(dataDir)
        .forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy));
  }

  @Test
  void aTakenTemporalPortStopsTheStartWithOneLineAndLeavesNothingRunning() throws Exception {
    Assumptions.assumeTrue(
        cli.isPresent(), "needs the Temporal CLI (scripts/install-temporal-cli)");
    try (ServerSocket taken = new ServerSocket(temporalPort, 1, InetAddress.getLoopbackAddress())) {
      Process process = launch().start(logDir.resolve("run-1.log"));
      processes.add(process);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("exits").isTrue();
      assertThat(process.exitValue()).isNotZero();
      assertThat(log(1))
          .contains("port " + temporalPort + " on 127.0.0.1")
          .contains("already in use");
    }
    assertThat(postgresProcessesUsing(dataDir)).as("postgres processes on the data dir").isEmpty();
    assertThat(canBind(uiPort)).as("Web UI port free").isTrue();
  }

  private Process start(int run) throws IOException, InterruptedException {
    assertThat(DevStackLaunch.jar()).as("the packaged dev stack (mvn package)").isRegularFile();
    long t0 = System.nanoTime();
    Process process = launch().start(logDir.resolve("run-" + run + ".log"));
    processes.add(process);
    awaitReady(process, run);
    System.out.printf(
        "dev stack run %d ready in %d ms%n", run, (System.nanoTime() - t0) / 1_000_000);
    return process;
  }

  private DevStackLaunch launch() {
    return new DevStackLaunch(dataDir, httpPort, workerPort, temporalPort, uiPort, cli);
  }

  private void awaitReady(Process process, int run) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_BUDGET.toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(process.isAlive()).as("dev stack exited early; log:%n%s", log(run)).isTrue();
      try {
        HttpResponse<String> ready = get("/readyz");
        // The ready block is printed just after the starter answers.
        if (ready.statusCode() == 200
            && log(run).contains("curl -sS -X POST")
            && log(run).contains("exp_123456")) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no 200 from /readyz within " + START_BUDGET + "; log:\n" + log(run));
  }

  private void stopAndCheckNothingIsLeft(Process stack) throws Exception {
    List<ProcessHandle> children = stack.descendants().toList();
    stack.destroy(); // SIGTERM
    assertThat(stack.waitFor(10, TimeUnit.SECONDS)).as("exits within 10 s of SIGTERM").isTrue();
    // 143 = 128 + SIGTERM: the JVM's exit after its shutdown hooks ran.
    assertThat(stack.exitValue()).isIn(0, 143);
    for (ProcessHandle child : children) {
      assertThat(child.isAlive()).as("child process %s", child.pid()).isFalse();
    }
    for (int port : List.of(httpPort, workerPort, temporalPort, uiPort)) {
      assertThat(canBind(port)).as("port %d is free again", port).isTrue();
    }
    Path postmasterPid = dataDir.resolve("postgresql/data/postmaster.pid");
    assertThat(postmasterPid).as("PostgreSQL stopped").doesNotExist();
    assertThat(postgresProcessesUsing(dataDir)).as("postgres processes on the data dir").isEmpty();
  }

  private HttpResponse<String> activate(String experimentId)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + ACTIVATE))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString("{\"experimentId\": \"" + experimentId + "\"}"))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void assertStatus(HttpResponse<String> response, int status, String bodyPart) {
    assertThat(response.statusCode()).as("status; body %s", response.body()).isEqualTo(status);
    assertThat(response.body()).contains(bodyPart);
  }

  private String log(int run) {
    try {
      return Files.readString(logDir.resolve("run-" + run + ".log"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static boolean canBind(int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    } catch (IOException e) {
      return false;
    }
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
      return false; // something still answers
    } catch (IOException expected) {
      return true;
    }
  }

  private static List<Long> postgresProcessesUsing(Path dir) {
    String needle = dir.toString();
    return ProcessHandle.allProcesses()
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> c.contains("postgres") && c.contains(needle))
                    .orElse(false))
        .map(ProcessHandle::pid)
        .toList();
  }
}
