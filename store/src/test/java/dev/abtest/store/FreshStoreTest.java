package dev.abtest.store;

import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The store's tests: each test gets a fresh migrated database ({@link #database}, through store's
 * own pool) and the {@link #store} over it, and writes its rows with {@link #insert}.
 */
@PostgresTest
abstract class FreshStoreTest {
  Database database;
  ActivationStore store;

  @BeforeEach
  void freshDatabase(PostgresDatabase postgres) {
    database = new Database(DatabaseSettings.parse(postgres.another().postgresqlUrl()));
    store = new ActivationStore(database.jdbi());
  }

  @AfterEach
  void closeDatabase() {
    database.close();
  }

  ExperimentRow insert(ExperimentRow row) {
    return row.insert(database.dataSource());
  }
}
