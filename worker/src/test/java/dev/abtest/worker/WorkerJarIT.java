package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.Outcome;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.LoopbackTemporalServer;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar worker.jar} as an operator runs it: it starts against a real PostgreSQL and
 * Temporal, activates an experiment, and on SIGTERM drains and exits, logging JSON without the
 * database password.
 */
class WorkerJarIT {
  private static final String DB_PASSWORD = "jar-test-Passw0rd";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void theShadedJarActivatesAndShutsDownGracefullyOnSigterm() throws Exception {
    Path jar = Path.of(System.getProperty("worker.jar", "target/worker.jar"));
    assertThat(jar).exists();
    // A fresh directory per run (world-traversable: under root without user namespaces, PostgreSQL
    // runs as nobody).
    Path dir =
        Files.createDirectories(
            Path.of("target", "it-worker-jar", "run-" + ProcessHandle.current().pid()));
    Path stdout = dir.resolve("worker.out");
    Path stderr = dir.resolve("worker.err");

    try (EmbeddedPostgres postgres =
            EmbeddedPostgres.builder()
                .directory(dir.resolve("pg"))
                .password(DB_PASSWORD)
                .fastAndUnsafe(true)
                .start();
        LoopbackTemporalServer temporal = LoopbackTemporalServer.start(0)) {
      postgres.createDatabase("abtests");
      int port = freePort();
      ProcessBuilder builder =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-jar",
                  jar.toString())
              .redirectOutput(stdout.toFile())
              .redirectError(stderr.toFile());
      builder.environment().put("POSTGRESQL_URL", postgres.postgresqlUrl("abtests"));
      builder.environment().put("TEMPORAL_ADDRESS", temporal.target());
      builder.environment().put("HTTP_PORT", Integer.toString(port));
      builder.environment().put("SHUTDOWN_DRAIN_TIMEOUT", "10s");
      Process worker = builder.start();
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
      try {
        String readyz = "http://127.0.0.1:" + port + "/readyz";
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(500))
            .until(() -> worker.isAlive() && status(readyz) == 200 || !worker.isAlive());
        assertThat(worker.isAlive()).as("the worker runs; stderr: %s", read(stderr)).isTrue();

        insertPendingExperiment(postgres, "exp_jar");
        ActivationClient activations = new ActivationClient(WorkflowClient.newInstance(stubs));
        assertThat(activations.activate("exp_jar", "ops", Duration.ofSeconds(30)).outcome())
            .isEqualTo(Outcome.ACTIVATED);

        worker.destroy(); // SIGTERM
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).as("exits after draining").isTrue();
        assertThat(worker.exitValue()).isEqualTo(143); // 128 + SIGTERM, after the shutdown hook ran
      } finally {
        worker.destroyForcibly();
        stubs.shutdownNow();
      }
    }

    deleteQuietly(dir.resolve("pg")); // the worker's output stays for a look after a failure
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
        .doesNotContain(DB_PASSWORD);
    assertThat(read(stderr)).doesNotContain(DB_PASSWORD);
  }

  private static int status(String url) {
    try {
      return HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // left under target/ until the next clean
    }
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void insertPendingExperiment(EmbeddedPostgres postgres, String id)
      throws Exception {
    try (Connection connection =
            DriverManager.getConnection(postgres.jdbcUrl("abtests"), postgres.user(), DB_PASSWORD);
        Statement statement = connection.createStatement()) {
      statement.execute(
          "INSERT INTO \"ABTest\" (id, name, \"startDate\", \"endDate\", status, configuration,"
              + " \"updatedAt\") VALUES ('"
              + id
              + "', 'Jar test', now() AT TIME ZONE 'UTC', (now() + interval '30 days') AT TIME"
              + " ZONE 'UTC', 'PENDING', '{\"variants\": [\"control\", \"treatment\"],"
              + " \"distribution\": [0.5, 0.5]}', now() AT TIME ZONE 'UTC')");
    }
  }
}
