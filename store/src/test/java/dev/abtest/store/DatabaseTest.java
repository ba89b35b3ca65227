package dev.abtest.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import java.time.Duration;
import java.util.TimeZone;
import org.junit.jupiter.api.Test;

@PostgresTest(migrated = false, ownServer = true)
class DatabaseTest {
  @Test
  void everyConnectionRunsInUtcWhateverTheJvmTimeZone(PostgresDatabase postgres) {
    TimeZone jvmZone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
    try (Database db = new Database(DatabaseSettings.parse(postgres.postgresqlUrl()))) {
      String zone =
          db.jdbi().withHandle(h -> h.createQuery("SHOW TIME ZONE").mapTo(String.class).one());

      assertThat(zone).isEqualTo("UTC");
    } finally {
      TimeZone.setDefault(jvmZone);
    }
  }

  @Test
  void reachabilityFollowsTheServerAndFailsFastWhileItIsDown(PostgresDatabase postgres) {
    try (Database db = new Database(DatabaseSettings.parse(postgres.postgresqlUrl()))) {
      assertThat(db.isReachable(Duration.ofSeconds(5))).isTrue();

      postgres.server().stop();
      try {
        long start = System.nanoTime();
        boolean reachable = db.isReachable(Duration.ofSeconds(2));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(reachable).isFalse();
        assertThat(took).isLessThan(Duration.ofSeconds(3));
      } finally {
        postgres.server().start();
      }
      assertThat(db.isReachable(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aPoolCanBeBuiltWhileTheDatabaseIsDown(PostgresDatabase postgres) {
    DatabaseSettings settings = DatabaseSettings.parse(postgres.postgresqlUrl());
    postgres.server().stop();
    try (Database db = new Database(settings)) {
      assertThat(db.isReachable(Duration.ofSeconds(1))).isFalse();
      postgres.server().start();
      assertThat(db.isReachable(Duration.ofSeconds(5))).isTrue();
    } finally {
      postgres.server().start();
    }
  }
}
