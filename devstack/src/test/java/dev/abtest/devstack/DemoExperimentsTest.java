package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.store.Database;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.store.ExperimentRows;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The demo rows on a real PostgreSQL migrated by the store's own migrations. */
@PostgresTest
class DemoExperimentsTest {
  private Database database;
  private DemoExperiments seeds;
  private ExperimentRows rows;

  @BeforeEach
  void freshDatabase(PostgresDatabase postgres) {
    database =
        new Database(DatabaseSettings.parse(postgres.another().postgresqlUrl()).withPoolSize(2));
    seeds = database.jdbi().onDemand(DemoExperiments.class);
    rows = database.jdbi().onDemand(ExperimentRows.class);
  }

  @AfterEach
  void closeDatabase() {
    database.close();
  }

  @Test
  void seedsEveryDemoCaseOnce() {
    assertThat(seeds.seed(false)).isEqualTo(DemoExperiments.IDS.size());
    assertThat(seeds.seed(false)).as("a restart writes nothing").isZero();

    Instant now = Instant.now();
    assertThat(row("exp_123456").status()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(row("exp_123456").endDate()).isAfter(now.plus(Duration.ofDays(300)));
    assertThat(weightSum(row("exp_123456"))).isEqualTo(1.0);
    assertThat(row("exp_active").status()).isEqualTo(ExperimentStatus.ACTIVE);
    assertThat(row("exp_stopped").status()).isEqualTo(ExperimentStatus.STOPPED);
    assertThat(row("exp_stopped").endDate()).isAfter(now);
    assertThat(row("exp_completed").status()).isEqualTo(ExperimentStatus.COMPLETED);
    assertThat(row("exp_failed").status()).isEqualTo(ExperimentStatus.FAILED);
    assertThat(row("exp_bad_config").status()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(Math.abs(weightSum(row("exp_bad_config")) - 1.0)).isGreaterThan(1e-6);
    assertThat(row("exp_expired").status()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(row("exp_expired").endDate()).isBefore(now);
    assertThat(row("exp_three_way").configuration().get("variants")).hasSize(3);
    assertThat(Math.abs(weightSum(row("exp_three_way")) - 1.0)).isLessThan(1e-6);
  }

  @Test
  void aRestartKeepsWhatWasDoneToTheDemoRowsAndResetPutsThemBack() {
    seeds.seed(false);
    setStatus("exp_123456", ExperimentStatus.ACTIVE);
    insertOwnRow("exp_mine");

    assertThat(seeds.seed(false)).isZero();
    assertThat(row("exp_123456").status()).isEqualTo(ExperimentStatus.ACTIVE);

    assertThat(seeds.seed(true)).isEqualTo(DemoExperiments.IDS.size());
    assertThat(row("exp_123456").status()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(row("exp_mine").status()).as("not a demo row").isEqualTo(ExperimentStatus.ACTIVE);
  }

  private Experiment row(String id) {
    return rows.findById(id).orElseThrow(() -> new AssertionError(id + " missing"));
  }

  private static double weightSum(Experiment e) {
    return StreamSupport.stream(e.configuration().get("distribution").spliterator(), false)
        .mapToDouble(n -> n.asDouble())
        .sum();
  }

  private void setStatus(String id, ExperimentStatus status) {
    database
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate(
                        "UPDATE \"ABTest\" SET status = CAST(:status AS \"ExperimentStatus\")"
                            + " WHERE id = :id")
                    .bind("status", status.name())
                    .bind("id", id)
                    .execute());
  }

  private void insertOwnRow(String id) {
    ExperimentRow.of(id, ExperimentStatus.ACTIVE)
        .withName("mine")
        .withConfiguration("{}")
        .insert(database.dataSource());
  }
}
