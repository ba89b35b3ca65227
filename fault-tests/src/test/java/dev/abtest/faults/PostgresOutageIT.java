package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** PostgreSQL stopped for 10 s in the middle of the load, then started again. */
class PostgresOutageIT {
  static final Duration OUTAGE = Duration.ofSeconds(10);

  private static FaultStack stack;
  private static ServiceProcess starter;

  @BeforeAll
  static void startStack() throws Exception {
    stack = FaultStack.start("postgres-outage");
    stack.startWorker(Map.of());
    starter = stack.startStarter(Map.of());
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void everyActivationCompletesOnceAfterADatabaseOutageMidLoad() throws Exception {
    List<String> ids = stack.seedPending("pg", LoadIT.EXPERIMENTS);
    ActivationLoad load =
        new ActivationLoad(starter.uri("/"), ids, LoadIT.DUPLICATES, LoadIT.CLIENTS, 2L).start();
    try {
      assertThat(load.awaitAnswered(load.total() / 4, Duration.ofMinutes(1)))
          .as("a quarter of the load answered before the outage")
          .isTrue();
      int before = load.answered();
      long t0 = System.nanoTime();
      stack.postgres.stop();
      Thread.sleep(OUTAGE.toMillis());
      stack.postgres.start();
      System.out.printf(
          "PostgresOutageIT: PostgreSQL stopped after %d answers, down for %d ms, %d answers"
              + " during the outage, statuses so far %s%n",
          before,
          (System.nanoTime() - t0) / 1_000_000,
          load.answered() - before,
          load.statusCounts());
    } catch (Throwable e) {
      load.abort();
      stack.postgres.start();
      throw e;
    }
    Map<String, Long> statuses = load.finish(Duration.ofMinutes(3));
    Outcomes.assertEachActivatedExactlyOnce(
        "PostgresOutageIT", stack, "pg", ids, load, statuses, Duration.ofSeconds(90));
  }
}
