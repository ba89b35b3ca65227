package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.Outcome;
import dev.abtest.embedded.LoopbackTemporalServer;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import dev.abtest.testing.ServiceProcess;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar worker.jar} as an operator runs it: it starts against a real PostgreSQL (an
 * empty database it migrates) and Temporal, activates an experiment, and on SIGTERM drains and
 * exits, logging JSON without the database password.
 */
@PostgresTest(migrated = false)
class WorkerJarIT {
  @Test
  void theShadedJarActivatesAndShutsDownGracefullyOnSigterm(PostgresDatabase database)
      throws Exception {
    Path jar = Path.of(System.getProperty("worker.jar", "target/worker.jar"));
    assertThat(jar).exists();
    // The worker's output stays for a look after a failure.
    Path dir = Path.of("target", "it-worker-jar", "run-" + ProcessHandle.current().pid());
    Path stdout = dir.resolve("worker.out");
    Path stderr = dir.resolve("worker.err");

    try (LoopbackTemporalServer temporal = LoopbackTemporalServer.start(0);
        ServiceProcess worker =
            ServiceProcess.jar(jar)
                .env("POSTGRESQL_URL", database.postgresqlUrl())
                .env("TEMPORAL_ADDRESS", temporal.target())
                .env("SHUTDOWN_DRAIN_TIMEOUT", "10s")
                .httpOnFreePort()
                .output(stdout, stderr)
                .start()) {
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try {
        worker.awaitReady(Duration.ofSeconds(90));

        ExperimentRow.pending("exp_jar").insert(database.dataSource());
        ActivationClient activations = new ActivationClient(WorkflowClient.newInstance(stubs));
        assertThat(activations.activate("exp_jar", "ops", Duration.ofSeconds(30)).outcome())
            .isEqualTo(Outcome.ACTIVATED);

        worker.terminate(); // SIGTERM
        assertThat(worker.awaitExit(Duration.ofSeconds(30))).as("exits after draining").isTrue();
        assertThat(worker.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
      } finally {
        stubs.shutdownNow();
      }
    }

    List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      assertThat(json.readTree(line).isObject()).as(line).isTrue();
    }
    String all = String.join("\n", lines);
    assertThat(all)
        .contains("Worker ready")
        .contains("Draining: polling stopped")
        .contains("Worker stopped")
        .doesNotContain(database.password());
    assertThat(read(stderr)).doesNotContain(database.password());
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }
}
