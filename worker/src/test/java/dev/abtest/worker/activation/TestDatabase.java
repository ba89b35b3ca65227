package dev.abtest.worker.activation;

import dev.abtest.activation.ExperimentStatus;
import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;

/**
 * For the activity tests: one real PostgreSQL per test class under {@code target/pg-<class>}, a
 * fresh migrated database per test, and rows inserted the way the original application would.
 */
public final class TestDatabase implements AutoCloseable {
  public static final String VALID_CONFIGURATION =
      "{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.5, 0.5]}";

  private final EmbeddedPostgres server;
  private final AtomicInteger databases = new AtomicInteger();

  private TestDatabase(EmbeddedPostgres server) {
    this.server = server;
  }

  public static TestDatabase start(Class<?> testClass) {
    Path dir = Path.of("target", "pg-" + testClass.getSimpleName());
    try {
      deleteRecursively(dir);
      return new TestDatabase(
          EmbeddedPostgres.builder().directory(dir).port(0).fastAndUnsafe(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public EmbeddedPostgres server() {
    return server;
  }

  /** A new database with the migrations applied. */
  public Database newDatabase() {
    String name = "test_" + databases.incrementAndGet();
    server.createDatabase(name);
    Database database = new Database(DatabaseSettings.parse(server.postgresqlUrl(name)));
    database.migrate();
    return database;
  }

  public static void insert(
      Jdbi jdbi, String id, ExperimentStatus status, String configuration, Instant endDate) {
    Instant now = Instant.now();
    jdbi.useHandle(
        handle ->
            handle
                .createUpdate(
                    "INSERT INTO \"ABTest\" (id, name, \"startDate\", \"endDate\", status,"
                        + " configuration, \"updatedAt\") VALUES (:id, :name, :startDate,"
                        + " :endDate, CAST(:status AS \"ExperimentStatus\"),"
                        + " CAST(:configuration AS jsonb), :updatedAt)")
                .bind("id", id)
                .bind("name", "Experiment " + id)
                .bind("startDate", utc(now.minusSeconds(86_400)))
                .bind("endDate", utc(endDate))
                .bind("status", status.name())
                .bind("configuration", configuration)
                .bind("updatedAt", utc(now.minusSeconds(3_600)))
                .execute());
  }

  public static void insert(Jdbi jdbi, String id, ExperimentStatus status) {
    insert(jdbi, id, status, VALID_CONFIGURATION, Instant.now().plusSeconds(30 * 86_400));
  }

  private static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  @Override
  public void close() {
    server.close();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
