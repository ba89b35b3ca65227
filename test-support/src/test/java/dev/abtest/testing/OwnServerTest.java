package dev.abtest.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A class with its own server may stop it; an empty database has no tables. */
@PostgresTest(ownServer = true, migrated = false)
class OwnServerTest {
  @Test
  void itsOwnServerStopsAndStartsWithoutTouchingTheSharedOne(PostgresDatabase database)
      throws Exception {
    assertThat(
            PostgresExtensionTest.query(
                database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
        .isEqualTo("0");
    assertThat(database.server()).isNotSameAs(SharedPostgres.server());

    database.server().stop();
    assertThat(database.server().isRunning()).isFalse();
    database.server().start();

    assertThat(PostgresExtensionTest.query(database, "SELECT 1")).isEqualTo("1");
  }
}
