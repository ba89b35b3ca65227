package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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

  /**
   * Asserts that {@code call} fails as a non-retryable INVALID_REQUEST whose message contains
   * {@code messagePart} (any message when empty): bad input an activity refuses at once.
   */
  protected static void assertInvalidRequest(ThrowingCallable call, String messagePart) {
    assertThatThrownBy(call)
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(ActivationFailures.INVALID_REQUEST);
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage()).contains(messagePart);
            });
  }
}
