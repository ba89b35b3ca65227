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

/**
 * The worker process killed with SIGKILL in the middle of the load, and a new one started. The
 * activity attempts it held are lost; Temporal schedules them again when their start-to-close
 * timeout (30 s, ActivationPolicy) expires, so the settle time allows for that.
 */
class WorkerKillIT {
  private static FaultStack stack;
  private static ServiceProcess starter;
  private static ServiceProcess worker;

  @BeforeAll
  static void startStack() throws Exception {
    stack = FaultStack.start("worker-kill");
    worker = stack.startWorker(Map.of());
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
  void everyActivationCompletesOnceAfterTheWorkerIsKilledMidLoad() throws Exception {
    List<String> ids = stack.seedPending("kill", LoadIT.EXPERIMENTS);
    ActivationLoad load =
        new ActivationLoad(starter.uri("/"), ids, LoadIT.DUPLICATES, LoadIT.CLIENTS, 3L).start();
    try {
      assertThat(load.awaitAnswered(load.total() / 3, Duration.ofMinutes(1)))
          .as("a third of the load answered before the kill")
          .isTrue();
      int before = load.answered();
      worker.kill();
      long t0 = System.nanoTime();
      assertThat(worker.isAlive()).isFalse();
      ServiceProcess replacement = stack.startWorker(Map.of());
      System.out.printf(
          "WorkerKillIT: worker killed (SIGKILL) after %d answers; replacement ready in %d ms%n",
          before, (System.nanoTime() - t0) / 1_000_000);
      worker = replacement;
    } catch (Throwable e) {
      load.abort();
      throw e;
    }
    Map<String, Long> statuses = load.finish(Duration.ofMinutes(3));
    Outcomes.assertEachActivatedExactlyOnce(
        "WorkerKillIT", stack, "kill", ids, load, statuses, Duration.ofSeconds(120));
  }
}
