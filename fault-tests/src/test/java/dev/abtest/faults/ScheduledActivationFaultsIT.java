package dev.abtest.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.testing.ServiceProcess;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A pending schedule is durable: it survives a worker killed with SIGKILL during the wait, and the
 * real dev server stopped and started again on its database file during the wait.
 */
class ScheduledActivationFaultsIT {
  private static FaultStack stack;
  private static ServiceProcess starter;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startStack() throws Exception {
    stack = FaultStack.start("scheduled");
    starter = stack.startStarter(FaultStack.PATIENT_STARTER);
  }

  @AfterAll
  static void stopStack() {
    if (stack != null) {
      stack.close();
    }
  }

  private int schedule(String id, Instant at) throws Exception {
    HttpRequest request =
        ActivationLoad.activationPost(
            starter.uri(ActivationLoad.PATH),
            "{\"experimentId\":\"" + id + "\",\"activateAt\":\"" + at + "\"}",
            Duration.ofSeconds(30));
    return http.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  /** The row's updatedAt once it is ACTIVE, polled until {@code within} has passed. */
  private static Instant awaitActive(String id, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      try (Connection c = stack.database.dataSource().getConnection();
          PreparedStatement query =
              c.prepareStatement(
                  "SELECT \"updatedAt\" FROM \"ABTest\" WHERE id = ? AND status = 'ACTIVE'")) {
        query.setString(1, id);
        try (ResultSet rs = query.executeQuery()) {
          if (rs.next()) {
            Timestamp updated = rs.getTimestamp(1);
            return updated.toLocalDateTime().toInstant(ZoneOffset.UTC);
          }
        }
      } catch (SQLException retry) {
        // the database stays up in these tests; a transient error is polled again
      }
      Thread.sleep(100);
    }
    throw new AssertionError(id + " is not ACTIVE after " + within);
  }

  private static List<String> outcomes(String id) throws SQLException {
    List<String> outcomes = new ArrayList<>();
    try (Connection c = stack.database.dataSource().getConnection();
        PreparedStatement query =
            c.prepareStatement(
                "SELECT outcome FROM experiment_activation_audit WHERE experiment_id = ?"
                    + " ORDER BY id")) {
      query.setString(1, id);
      try (ResultSet rs = query.executeQuery()) {
        while (rs.next()) {
          outcomes.add(rs.getString(1));
        }
      }
    }
    return outcomes;
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aScheduleActivatesOnTimeAfterTheWorkerIsKilledDuringTheWait() throws Exception {
    ServiceProcess worker = stack.startWorker(Map.of());
    String id = stack.seedPending("sched-kill", 1).get(0);
    Instant at = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
    assertThat(schedule(id, at)).isEqualTo(202);

    worker.kill();
    ServiceProcess replacement = stack.startWorker(Map.of());
    try {
      Instant activated = awaitActive(id, Duration.ofSeconds(60));

      System.out.printf(
          "scheduled activation after a worker SIGKILL: %d ms after its time%n",
          Duration.between(at, activated).toMillis());
      assertThat(activated).isAfterOrEqualTo(at);
      // The timer is the server's; the new worker takes the run over once the killed worker's
      // sticky queue times out (a few seconds on the dev server).
      assertThat(activated).isBefore(at.plusSeconds(15));
      assertThat(outcomes(id)).containsExactly("SCHEDULED", "ACTIVATED");
    } finally {
      replacement.close();
    }
  }

  @Test
  @Timeout(value = 4, unit = TimeUnit.MINUTES)
  void aScheduleActivatesAfterTheServerIsStoppedAndStartedAgainDuringTheWait() throws Exception {
    ServiceProcess worker = stack.startWorker(Map.of());
    try {
      String id = stack.seedPending("sched-restart", 1).get(0);
      Instant at = Instant.now().plusSeconds(3).truncatedTo(ChronoUnit.MILLIS);
      assertThat(schedule(id, at)).isEqualTo(202);

      stack.temporal.suspend();
      Thread.sleep(5_000);
      stack.temporal.resume();
      Instant resumed = Instant.now();
      Instant activated = awaitActive(id, Duration.ofSeconds(90));

      System.out.printf(
          "scheduled activation across a server restart: %d ms after the server was back%n",
          Duration.between(resumed, activated).toMillis());
      // The time passed while the server was down: it activates once, soon after it is back.
      assertThat(activated).isAfterOrEqualTo(at);
      assertThat(activated).isBefore(resumed.plusSeconds(30));
      assertThat(outcomes(id)).containsExactly("SCHEDULED", "ACTIVATED");
    } finally {
      worker.close();
    }
  }
}
