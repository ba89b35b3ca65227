package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationSchedule;
import dev.abtest.embedded.TemporalServers;
import dev.abtest.testing.ServiceProcess;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The dev stack on the Temporal CLI's dev server, seen the way its users see it: every visibility
 * query the README shows, run through the Java client's list and count calls, and the Web UI in a
 * real browser (Debian's headless Chromium through its chromedriver), with screenshots saved under
 * {@code target/web-ui}.
 *
 * <p>Needs the CLI (the test command installs it) and, for the browser, {@code /usr/bin/chromium}
 * and {@code /usr/bin/chromedriver} ({@code .ci/run} installs them); without them these tests are
 * skipped, except in CI ({@code CI=true}), where a missing browser fails the test.
 */
class RealServerIT {
  private static final String ACTIVATE = "/api/nous/ab-testing/experiments/activate";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(30);
  private static final Path SCREENSHOTS = Path.of("target", "web-ui");

  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static Process stack;
  private static Path dataDir;
  private static int httpPort;
  private static int temporalPort;
  private static int uiPort;
  private static WorkflowServiceStubs stubs;
  private static WorkflowClient client;

  @BeforeAll
  static void startTheDevStackOnTheDevServerAndActivateTwoExperiments() throws Exception {
    Optional<Path> cli = TemporalServers.cliForTests();
    Assumptions.assumeTrue(
        cli.isPresent(), "needs the Temporal CLI (scripts/install-temporal-cli)");
    Path work = Path.of(System.getProperty("devstack.workDir", "target/it")).toAbsolutePath();
    dataDir = work.resolve("real-server-" + System.nanoTime());
    Files.createDirectories(dataDir);
    httpPort = ServiceProcess.freeLoopbackPort();
    temporalPort = ServiceProcess.freeLoopbackPort();
    uiPort = ServiceProcess.freeLoopbackPort();
    stack =
        new DevStackLaunch(
                dataDir, httpPort, ServiceProcess.freeLoopbackPort(), temporalPort, uiPort, cli)
            .start(work.resolve(dataDir.getFileName() + ".log"));
    awaitReady();

    assertThat(activate("exp_123456").statusCode()).isEqualTo(200);
    assertThat(activate("exp_completed").statusCode()).isEqualTo(422);

    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + temporalPort)
                .build());
    client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  @AfterAll
  static void stop() throws Exception {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (stack != null) {
      stack.destroy();
      if (!stack.waitFor(15, TimeUnit.SECONDS)) {
        stack.destroyForcibly();
      }
    }
    // The log stays for a post-mortem; binaries and data (~100 MB) go.
    if (dataDir != null && Files.exists(dataDir)) {
      try (var files = Files.walk(dataDir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }

  @Test
  void everyQueryTheReadmeShowsFindsWhatItPromises() {
    String since =
        Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    // The README's "Inspecting activations" queries, and what each must find here.
    Map<String, List<String>> expected =
        Map.of(
            "ExperimentId = \"exp_123456\"",
            List.of("activate-experiment:exp_123456"),
            "ActivationOutcome = \"REJECTED\"",
            List.of("activate-experiment:exp_completed"),
            "WorkflowType = \"ActivateExperiment\" AND ActivationOutcome = \"ACTIVATED\" AND StartTime"
                + " > \""
                + since
                + "\"",
            List.of("activate-experiment:exp_123456"),
            "WorkflowId = \"activate-experiment:exp_123456\"",
            List.of("activate-experiment:exp_123456"),
            "ExperimentId = \"exp_completed\" AND ActivationOutcome = \"REJECTED\"",
            List.of("activate-experiment:exp_completed"));
    expected.forEach(
        (query, workflowIds) -> {
          List<String> found = eventually(() -> listWorkflowIds(query), workflowIds);
          assertThat(found).as("list %s", query).containsExactlyInAnyOrderElementsOf(workflowIds);
          assertThat(client.countWorkflows(query).getCount())
              .as("count %s", query)
              .isEqualTo(workflowIds.size());
          System.out.printf("visibility: %s -> %s%n", query, found);
        });
    // Set at start (ExperimentId) and at the end (ActivationOutcome), with the README's values.
    WorkflowExecutionMetadata run =
        client
            .listExecutions("WorkflowId = \"activate-experiment:exp_123456\"")
            .findFirst()
            .orElseThrow();
    assertThat(run.getTypedSearchAttributes().get(ActivationContract.EXPERIMENT_ID))
        .isEqualTo("exp_123456");
    assertThat(run.getTypedSearchAttributes().get(ActivationContract.ACTIVATION_OUTCOME))
        .isEqualTo("ACTIVATED");
  }

  @Test
  void theWebUiListsFiltersAndShowsTheRunsWithTheirSummaries() throws Exception {
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(browser, "needs /usr/bin/chromium and /usr/bin/chromedriver");
    }
    assertThat(browser).as("Chromium and chromedriver installed (.ci/run installs them)").isTrue();
    Files.createDirectories(SCREENSHOTS);
    WebDriver driver = chromium();
    try {
      String ui = "http://127.0.0.1:" + uiPort;
      driver.get(listUrl(ui, "ExperimentId = \"exp_123456\""));
      String list = awaitText(driver, "activate-experiment:exp_123456");
      assertThat(list).contains("ActivateExperiment").doesNotContain("exp_completed");
      screenshot(driver, "workflow-list-by-experiment-id.png");

      String runId =
          client
              .listExecutions("WorkflowId = \"activate-experiment:exp_123456\"")
              .findFirst()
              .orElseThrow()
              .getExecution()
              .getRunId();
      driver.get(
          ui
              + "/namespaces/default/workflows/"
              + URLEncoder.encode("activate-experiment:exp_123456", StandardCharsets.UTF_8)
              + "/"
              + runId
              + "/history");
      String run = awaitText(driver, "Activate exp_123456 requested by");
      assertThat(run).contains("Validate exp_123456").contains("Set exp_123456 ACTIVE");
      screenshot(driver, "workflow-run-activated.png");
      awaitText(driver, "ACTIVATED");

      driver.get(listUrl(ui, "ActivationOutcome = \"REJECTED\""));
      String rejected = awaitText(driver, "activate-experiment:exp_completed");
      assertThat(rejected).doesNotContain("activate-experiment:exp_123456");
      screenshot(driver, "workflow-list-rejected.png");
    } finally {
      driver.quit();
    }
  }

  /**
   * The dev stack's demo schedule ({@code exp_scheduled}, five minutes after the start): listed by
   * the README's query for what is pending, and its run's page names the time and who scheduled it
   * (the run's summary and the timer's summary in the event history).
   */
  @Test
  void theWebUiListsThePendingScheduleAndItsRunShowsTheTimeAndWhoScheduledIt() throws Exception {
    boolean browser = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(browser, "needs /usr/bin/chromium and /usr/bin/chromedriver");
    }
    assertThat(browser).as("Chromium and chromedriver installed (.ci/run installs them)").isTrue();
    ActivationClient activations = new ActivationClient(client);
    ActivationSchedule demo =
        eventuallyPresent(() -> activations.pendingSchedule("exp_scheduled"))
            .orElseThrow(() -> new AssertionError("the dev stack scheduled no demo"));
    assertThat(demo.scheduledBy()).isEqualTo("devstack-demo");
    assertThat(demo.activateAt()).isAfter(Instant.now());
    String workflowId = "activate-experiment:exp_scheduled";
    String query =
        "ExecutionStatus = \"Running\" AND ActivationScheduledFor > \""
            + Instant.now().truncatedTo(ChronoUnit.SECONDS)
            + "\"";
    assertThat(eventually(() -> listWorkflowIds(query), List.of(workflowId)))
        .as("list %s", query)
        .containsExactly(workflowId);
    System.out.printf("visibility: %s -> [%s]%n", query, workflowId);

    Files.createDirectories(SCREENSHOTS);
    WebDriver driver = chromium();
    try {
      String ui = "http://127.0.0.1:" + uiPort;
      driver.get(listUrl(ui, query));
      String list = awaitText(driver, workflowId);
      assertThat(list)
          .contains("Running")
          .doesNotContain("activate-experiment:exp_123456")
          .doesNotContain("activate-experiment:exp_completed");
      screenshot(driver, "workflow-list-scheduled.png");

      String runId =
          client
              .listExecutions("WorkflowId = \"" + workflowId + "\"")
              .findFirst()
              .orElseThrow()
              .getExecution()
              .getRunId();
      driver.get(
          ui
              + "/namespaces/default/workflows/"
              + URLEncoder.encode(workflowId, StandardCharsets.UTF_8)
              + "/"
              + runId
              + "/history");
      String at = demo.activateAt().toString();
      awaitText(driver, "Activate exp_scheduled at " + at + ", scheduled by devstack-demo");
      // The timer's summary, in the event history.
      awaitText(driver, "Activate exp_scheduled at " + at + " (scheduled by devstack-demo)");
      System.out.printf("web ui: the scheduled run shows %s and devstack-demo%n", at);
      // Wide enough for the event table, with the timer's event opened: its details show the
      // whole summary (the table's column cuts a long one short).
      driver.manage().window().setSize(new Dimension(2400, 1200));
      try {
        driver.findElement(By.xpath("//*[normalize-space(text())='Timer Started']")).click();
      } catch (RuntimeException e) {
        System.out.println("web ui: could not open the timer's event: " + e.getMessage());
      }
      Thread.sleep(1000);
      screenshot(driver, "workflow-run-scheduled.png");
    } finally {
      driver.quit();
    }
  }

  /**
   * Records this dev server's histories of each outcome into the replay test's resources, beside
   * those the test server recorded. Off by default: {@code mvn -pl devstack -am verify
   * -Dit.test=RealServerIT -Dhistories.record=true} after a deliberate, replay-safe change.
   */
  @Test
  @EnabledIfSystemProperty(named = "histories.record", matches = "true")
  void recordHistoriesOfEveryOutcomeForTheReplayTest() throws Exception {
    assertThat(activate("exp_active").statusCode()).isEqualTo(409);
    assertThat(activate("exp_missing").statusCode()).isEqualTo(404);
    assertThat(activate("exp_stopped").statusCode()).isEqualTo(200);
    Map<String, String> files =
        Map.of(
            "exp_123456", "activated.json",
            "exp_stopped", "resumed.json",
            "exp_active", "already-active.json",
            "exp_completed", "rejected.json",
            "exp_missing", "not-found.json");
    Path dir =
        Path.of(System.getProperty("histories.dir", "../workflows/src/test/resources/histories"))
            .resolve("dev-server");
    Files.createDirectories(dir);
    for (Map.Entry<String, String> file : files.entrySet()) {
      String json = client.fetchHistory("activate-experiment:" + file.getKey()).toJson(true);
      Files.writeString(dir.resolve(file.getValue()), json, StandardCharsets.UTF_8);
      System.out.println("history: " + dir.resolve(file.getValue()));
    }
  }

  private static WebDriver chromium() {
    // Debian's driver and browser: Selenium Manager downloads nothing when both are given.
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1440,1000");
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    return driver;
  }

  private static String listUrl(String ui, String query) {
    return ui
        + "/namespaces/default/workflows?query="
        + URLEncoder.encode(query, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** The page's text once it contains {@code text} (the UI renders after its own API calls). */
  private static String awaitText(WebDriver driver, String text) throws InterruptedException {
    long deadline = System.nanoTime() + VISIBLE_WITHIN.toNanos();
    String body = "";
    while (System.nanoTime() < deadline) {
      try {
        body = driver.findElement(By.tagName("body")).getText();
      } catch (RuntimeException notYet) {
        body = "";
      }
      if (body.contains(text)) {
        return body;
      }
      Thread.sleep(250);
    }
    screenshot(driver, "failed-waiting.png");
    throw new AssertionError("the page never showed '" + text + "'; it showed:\n" + body);
  }

  private static void screenshot(WebDriver driver, String name) {
    try {
      Path file = SCREENSHOTS.resolve(name);
      Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      System.out.println("web ui: screenshot " + file.toAbsolutePath());
    } catch (IOException | RuntimeException e) {
      System.out.println("web ui: no screenshot " + name + ": " + e);
    }
  }

  private List<String> listWorkflowIds(String query) {
    return client
        .listExecutions(query)
        .map(info -> info.getExecution().getWorkflowId())
        .collect(Collectors.toList());
  }

  /** Asks again until there is an answer (the dev stack schedules its demo after /readyz). */
  private static <T> Optional<T> eventuallyPresent(Supplier<Optional<T>> call) {
    long deadline = System.nanoTime() + VISIBLE_WITHIN.toNanos();
    Optional<T> last = call.get();
    while (last.isEmpty() && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      last = call.get();
    }
    return last;
  }

  /** Visibility is eventually consistent: ask again until the answer is the expected one. */
  private static <T> T eventually(Supplier<T> call, T expected) {
    long deadline = System.nanoTime() + VISIBLE_WITHIN.toNanos();
    T last = call.get();
    while (!expected.equals(last) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      last = call.get();
    }
    return last;
  }

  private static HttpResponse<String> activate(String experimentId) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + ACTIVATE))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString("{\"experimentId\": \"" + experimentId + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitReady() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
    while (System.nanoTime() < deadline) {
      assertThat(stack.isAlive()).as("the dev stack exited early").isTrue();
      try {
        HttpResponse<String> ready =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/readyz"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (ready.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the dev stack was not ready within 180 s");
  }
}
