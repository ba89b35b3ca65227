package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Temporal unreachable: the starter answers 503 promptly, and serves again once it is back. */
class TemporalOutageIT {
  static final Duration PROMPT = Duration.ofSeconds(3);
  static final Duration RECOVERY_LIMIT = Duration.ofSeconds(60);

  private static FaultStack stack;
  private static ServiceProcess starter;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() throws Exception {
    stack = FaultStack.start("temporal-outage");
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
  @Timeout(value = 3, unit = TimeUnit.MINUTES)
  void starterAnswers503PromptlyWhileTemporalIsDownAndRecoversWhenItIsBack() throws Exception {
    List<String> ids = stack.seedPending("temporal", 4);
    assertThat(activate(ids.get(0)).statusCode()).as("before the outage").isEqualTo(200);

    stack.temporal.suspend();
    List<Long> millis = new ArrayList<>();
    List<Integer> statuses = new ArrayList<>();
    try {
      for (int i = 1; i <= 3; i++) {
        long t0 = System.nanoTime();
        HttpResponse<String> response = activate(ids.get(i));
        millis.add((System.nanoTime() - t0) / 1_000_000);
        statuses.add(response.statusCode());
        assertThat(response.body()).contains("\"UNAVAILABLE\"");
      }
    } finally {
      stack.temporal.resume();
    }
    System.out.printf(
        "TemporalOutageIT: while Temporal was down: statuses=%s in %s ms%n", statuses, millis);
    assertThat(statuses).containsOnly(503);
    assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(PROMPT.toMillis()));

    long t0 = System.nanoTime();
    int attempts = 0;
    int status = -1;
    while (System.nanoTime() - t0 < RECOVERY_LIMIT.toNanos()) {
      attempts++;
      status = activate(ids.get(1)).statusCode();
      if (status == 200 || status == 409) {
        break;
      }
      Thread.sleep(250);
    }
    long recoveredMillis = (System.nanoTime() - t0) / 1_000_000;
    FaultStack.Counts counts = stack.counts("temporal");
    System.out.printf(
        "TemporalOutageIT: after resume: status %d after %d attempt(s), %d ms; active=%d"
            + " auditRows=%d%n",
        status, attempts, recoveredMillis, counts.active(), counts.auditRows());
    assertThat(status).as("answer after Temporal is back").isIn(200, 409);
    assertThat(counts.active()).isEqualTo(2);
    assertThat(counts.auditRows()).isEqualTo(2);
  }

  private HttpResponse<String> activate(String experimentId) throws Exception {
    URI uri = starter.uri(ActivationLoad.PATH);
    return http.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString("{\"experimentId\":\"" + experimentId + "\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
