package dev.abtest.faults;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** 5,000 requests over 500 experiments from 32 HTTP clients, against the real processes. */
class LoadIT {
  static final int EXPERIMENTS = 500;
  static final int DUPLICATES = 10;
  static final int CLIENTS = 32;

  private static FaultStack stack;
  private static ServiceProcess starter;

  @BeforeAll
  static void startStack() throws Exception {
    stack = FaultStack.start("load");
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
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void duplicatedConcurrentRequestsActivateEveryExperimentExactlyOnceWithoutServerErrors()
      throws Exception {
    List<String> ids = stack.seedPending("load", EXPERIMENTS);
    ActivationLoad load =
        new ActivationLoad(starter.uri("/"), ids, DUPLICATES, CLIENTS, 1L).start();
    long t0 = System.nanoTime();
    Map<String, Long> statuses = load.finish(Duration.ofMinutes(3));
    System.out.printf(
        "LoadIT: %d requests answered in %d ms%n",
        load.total(), (System.nanoTime() - t0) / 1_000_000);
    Outcomes.assertEachActivatedExactlyOnce(
        "LoadIT", stack, "load", ids, load, statuses, Duration.ofSeconds(60));
  }
}
