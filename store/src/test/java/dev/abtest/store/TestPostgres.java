package dev.abtest.store;

import dev.abtest.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * One real PostgreSQL server per test class, under {@code target/pg-<class>}, and a fresh database
 * per test, so tests never see each other's rows.
 */
final class TestPostgres implements AutoCloseable {
  private final EmbeddedPostgres server;
  private final AtomicInteger databases = new AtomicInteger();

  private TestPostgres(EmbeddedPostgres server) {
    this.server = server;
  }

  static TestPostgres start(Class<?> testClass) {
    Path dir = Path.of("target", "pg-" + testClass.getSimpleName());
    try {
      deleteRecursively(dir);
      return new TestPostgres(
          EmbeddedPostgres.builder().directory(dir).port(0).fastAndUnsafe(true).start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  EmbeddedPostgres server() {
    return server;
  }

  /** A new, empty database; its settings in the contract's postgresql:// form. */
  DatabaseSettings newDatabase() {
    String name = "test_" + databases.incrementAndGet();
    server.createDatabase(name);
    return DatabaseSettings.parse(server.postgresqlUrl(name));
  }

  /** A new database, connected and migrated. */
  Database newMigratedDatabase() {
    Database database = new Database(newDatabase());
    database.migrate();
    return database;
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
