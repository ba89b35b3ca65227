package dev.abtest.worker;

import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The activity tests: each test gets a fresh migrated database and the store over it, and
 * Temporal's activity test environment ({@link #env}) to register the activity under test in.
 */
@PostgresTest
public abstract class FreshActivityTest {
  /** The class's database handle; its {@code server()} for classes with their own server. */
  protected PostgresDatabase postgres;

  protected Database database;
  protected ActivationStore store;
  protected TestActivityEnvironment env;

  @BeforeEach
  void freshDatabaseAndEnvironment(PostgresDatabase classDatabase) {
    postgres = classDatabase;
    database = new Database(DatabaseSettings.parse(classDatabase.another().postgresqlUrl()));
    store = new ActivationStore(database.jdbi());
    env = TestActivityEnvironment.newInstance();
  }

  @AfterEach
  void closeEnvironmentAndDatabase() {
    env.close();
    database.close();
  }

  protected void insert(ExperimentRow row) {
    row.insert(database.dataSource());
  }
}
