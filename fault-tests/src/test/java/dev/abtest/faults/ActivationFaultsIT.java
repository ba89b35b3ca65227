package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.testing.ServiceProcess;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

/**
 * The real worker and starter processes (from their jars) against an embedded PostgreSQL and the
 * Temporal CLI's dev server (a real server), under load and under faults. One stack serves every
 * test, so the module stays within minutes; each test works on experiments of its own and leaves
 * every service running, and prints the counts it checked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ActivationFaultsIT {
  // Sized for the real server on a 2-core machine: each load still overlaps duplicates of one
  // experiment and spans the fault (the figures each test prints show how many answers before it).
  static final int EXPERIMENTS = Integer.getInteger("faults.experiments", 120);
  static final int DUPLICATES = 5;
  static final int CLIENTS = 32;
  static final Duration LOAD_LIMIT = Duration.ofMinutes(4);
  static final Duration POSTGRES_OUTAGE = Duration.ofSeconds(10);
  static final Duration PROMPT_503 = Duration.ofSeconds(3);
  static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);
  static final Duration TEMPORAL_OUTAGE = Duration.ofSeconds(5);

  private static FaultStack stack;
  private static ServiceProcess worker;
  private static ServiceProcess starter;
  private static ServiceProcess strictStarter;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() throws Exception {
    stack = FaultStack.start("faults");
    worker = stack.startWorker(Map.of());
    starter = stack.startStarter(FaultStack.PATIENT_STARTER);
    // 503 comes after the start timeout: 1 s here, so "promptly" means well under 3 s.
    strictStarter = stack.startStarter(Map.of("ACTIVATION_START_TIMEOUT", "1s"));
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Order(1)
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void duplicatedConcurrentRequestsActivateEveryExperimentExactlyOnceWithoutServerErrors()
      throws Exception {
    List<String> ids = stack.seedPending("load", EXPERIMENTS);
    ActivationLoad load = load(ids, 1L);
    long t0 = System.nanoTime();
    Map<String, Long> statuses = load.finish(LOAD_LIMIT);
    System.out.printf(
        "load: %d requests from %d clients answered in %d ms%n",
        load.total(), CLIENTS, (System.nanoTime() - t0) / 1_000_000);
    Outcomes.assertEachActivatedExactlyOnce(
        "load", stack, "load", ids, load, statuses, Duration.ofSeconds(60));
  }

  @Test
  @Order(2)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void everyActivationCompletesOnceAfterTheWorkerIsKilledMidLoad() throws Exception {
    List<String> ids = stack.seedPending("kill", EXPERIMENTS);
    ActivationLoad load = load(ids, 3L);
    try {
      assertThat(load.awaitAnswered(load.total() / 3, Duration.ofMinutes(3)))
          .as("a third of the load answered before the kill")
          .isTrue();
      int before = load.answered();
      worker.kill();
      assertThat(worker.isAlive()).isFalse();
      long t0 = System.nanoTime();
      worker = stack.startWorker(Map.of());
      System.out.printf(
          "worker kill: SIGKILL after %d answers; a new worker was ready %d ms later%n",
          before, (System.nanoTime() - t0) / 1_000_000);
    } catch (Throwable e) {
      load.abort();
      throw e;
    }
    // No help from the test: the server's sticky schedule-to-start timeout (5 s) moves the workflow
    // tasks left on the dead worker's sticky queue to the normal queue.
    Map<String, Long> statuses = load.finish(LOAD_LIMIT);
    // Activity attempts the killed worker held are retried after their 30 s start-to-close timeout.
    Outcomes.assertEachActivatedExactlyOnce(
        "worker kill", stack, "kill", ids, load, statuses, Duration.ofSeconds(90));
  }

  @Test
  @Order(3)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void everyActivationCompletesOnceAfterADatabaseOutageMidLoad() throws Exception {
    List<String> ids = stack.seedPending("pg", EXPERIMENTS);
    ActivationLoad load = load(ids, 2L);
    try {
      assertThat(load.awaitAnswered(load.total() / 4, Duration.ofMinutes(3)))
          .as("a quarter of the load answered before the outage")
          .isTrue();
      int before = load.answered();
      long t0 = System.nanoTime();
      stack.postgres.stop();
      Thread.sleep(POSTGRES_OUTAGE.toMillis());
      stack.postgres.start();
      System.out.printf(
          "postgres outage: stopped after %d answers, down for %d ms, %d answers meanwhile,"
              + " statuses so far %s%n",
          before,
          (System.nanoTime() - t0) / 1_000_000,
          load.answered() - before,
          load.statusCounts());
    } catch (Throwable e) {
      load.abort();
      throw e;
    } finally {
      stack.postgres.start();
    }
    Map<String, Long> statuses = load.finish(LOAD_LIMIT);
    Outcomes.assertEachActivatedExactlyOnce(
        "postgres outage", stack, "pg", ids, load, statuses, Duration.ofSeconds(90));
  }

  @Test
  @Order(4)
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void starterAnswers503PromptlyWhileTemporalIsDownAndRecoversWhenItIsBack() throws Exception {
    List<String> ids = stack.seedPending("temporal", 4);
    assertThat(untilActivated(ids.get(0))).as("before the outage").isIn(200, 409);

    stack.temporal.suspend();
    List<Long> millis = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> response = activate(strictStarter, ids.get(i));
        millis.add((System.nanoTime() - t0) / 1_000_000);
        statuses.add(response.statusCode());
        assertThat(response.body()).contains("\"UNAVAILABLE\"");
      }
    } finally {
      stack.temporal.resume();
    }
    System.out.printf(
        "temporal outage: while down, statuses=%s in %s ms (limit %d ms)%n",
        statuses, millis, PROMPT_503.toMillis());
    assertThat(statuses).containsOnly(503);
    assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(PROMPT_503.toMillis()));

    long t0 = System.nanoTime();
    int status = untilActivated(ids.get(1));
    long recovered = (System.nanoTime() - t0) / 1_000_000;
    FaultStack.Counts counts = stack.counts("temporal");
    System.out.printf(
        "temporal outage: after resume, answer %d within %d ms; active=%d auditRows=%d%n",
        status, recovered, counts.active(), counts.auditRows());
    assertThat(status).as("answer once Temporal is back").isIn(200, 409);
    assertThat(counts.active()).isEqualTo(2);
    assertThat(counts.auditRows()).isEqualTo(2);
  }

  @Test
  @Order(5)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void twoWorkersAndTwoStartersShareTheLoadAndSurviveLosingOneOfEach() throws Exception {
    ServiceProcess secondWorker = stack.startWorker(Map.of());
    ServiceProcess secondStarter = stack.startStarter(FaultStack.PATIENT_STARTER);
    List<String> ids = stack.seedPending("pair", EXPERIMENTS);
    ActivationLoad load =
        new ActivationLoad(
                List.of(starter.uri("/"), secondStarter.uri("/")),
                false,
                ids,
                DUPLICATES,
                CLIENTS,
                5L)
            .start();
    try {
      assertThat(load.awaitAnswered(load.total() / 3, Duration.ofMinutes(3)))
          .as("a third of the load answered before the kills")
          .isTrue();
      int before = load.answered();
      secondWorker.kill();
      secondStarter.kill();
      System.out.printf(
          "pair: one of two workers and one of two starters SIGKILLed after %d answers%n", before);
    } catch (Throwable e) {
      load.abort();
      throw e;
    }
    Map<String, Long> statuses = load.finish(LOAD_LIMIT);
    System.out.printf("pair: %d requests re-sent to the surviving starter%n", load.failedOver());
    Outcomes.assertEachActivatedExactlyOnce(
        "pair", stack, "pair", ids, load, statuses, Duration.ofSeconds(90));
  }

  @Test
  @Order(6)
  @Timeout(value = 8, unit = TimeUnit.MINUTES)
  void everyActivationCompletesOnceAfterTheTemporalServerRestartsMidLoad() throws Exception {
    List<String> ids = stack.seedPending("restart", EXPERIMENTS);
    ActivationLoad load =
        new ActivationLoad(List.of(starter.uri("/")), true, ids, DUPLICATES, CLIENTS, 6L).start();
    try {
      assertThat(load.awaitAnswered(load.total() / 4, Duration.ofMinutes(3)))
          .as("a quarter of the load answered before the restart")
          .isTrue();
      int before = load.answered();
      long t0 = System.nanoTime();
      stack.temporal.suspend();
      Thread.sleep(TEMPORAL_OUTAGE.toMillis());
      stack.temporal.resume();
      System.out.printf(
          "temporal restart: dev server stopped after %d answers and started again with its"
              + " database file %d ms later%n",
          before, (System.nanoTime() - t0) / 1_000_000);
    } catch (Throwable e) {
      load.abort();
      throw e;
    } finally {
      stack.temporal.resume();
    }
    Map<String, Long> statuses = load.finish(LOAD_LIMIT);
    System.out.printf(
        "temporal restart: %d answers of 503 while it was down, retried by the clients%n",
        load.unavailableRetried());
    Outcomes.assertEachActivatedExactlyOnce(
        "temporal restart", stack, "restart", ids, load, statuses, Duration.ofSeconds(90));
  }

  private static ActivationLoad load(List<String> ids, long seed) {
    return new ActivationLoad(starter.uri("/"), ids, DUPLICATES, CLIENTS, seed).start();
  }

  /** Asks every 250 ms until the answer is 200 or 409, for at most {@link #RECOVERY_LIMIT}. */
  private int untilActivated(String experimentId) throws Exception {
    long t0 = System.nanoTime();
    int status = -1;
    while (System.nanoTime() - t0 < RECOVERY_LIMIT.toNanos()) {
      status = activate(strictStarter, experimentId).statusCode();
      if (status == 200 || status == 409) {
        return status;
      }
      Thread.sleep(250);
    }
    return status;
  }

  private HttpResponse<String> activate(ServiceProcess to, String experimentId) throws Exception {
    return http.send(
        ActivationLoad.activationPost(
            to.uri(ActivationLoad.PATH),
            ActivationLoad.activateBody(experimentId),
            Duration.ofSeconds(30)),
        HttpResponse.BodyHandlers.ofString());
  }
}
