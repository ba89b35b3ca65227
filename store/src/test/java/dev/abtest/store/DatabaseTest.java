package dev.abtest.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.TimeZone;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DatabaseTest {
  private static TestPostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = TestPostgres.start(DatabaseTest.class);
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @Test
  void everyConnectionRunsInUtcWhateverTheJvmTimeZone() {
    TimeZone jvmZone = TimeZone.getDefault();
    TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
    try (Database db = new Database(postgres.newDatabase())) {
      String zone =
          db.jdbi().withHandle(h -> h.createQuery("SHOW TIME ZONE").mapTo(String.class).one());

      assertThat(zone).isEqualTo("UTC");
    } finally {
      TimeZone.setDefault(jvmZone);
    }
  }

  @Test
  void reachabilityFollowsTheServerAndFailsFastWhileItIsDown() {
    try (Database db = new Database(postgres.newDatabase())) {
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
  void aPoolCanBeBuiltWhileTheDatabaseIsDown() {
    DatabaseSettings settings = postgres.newDatabase();
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
