package dev.abtest.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.activation.ExperimentStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The class's database: migrated, the same in every method, rows written as Prisma would. */
@PostgresTest
class PostgresExtensionTest {
  private static PostgresDatabase fromBeforeAll;

  @BeforeAll
  static void remember(PostgresDatabase database) {
    fromBeforeAll = database;
  }

  @Test
  void everyMethodOfTheClassGetsTheSameMigratedDatabase(PostgresDatabase database)
      throws Exception {
    assertThat(database).isSameAs(fromBeforeAll);
    assertThat(query(database, "SELECT count(*) FROM activation_schema_history WHERE success"))
        .isNotEqualTo("0");
    assertThat(database.postgresqlUrl()).startsWith("postgresql://").endsWith(database.name());
  }

  @Test
  void anInsertedRowHoldsWhatTheBuilderSaid(PostgresDatabase database) throws Exception {
    Instant end = Instant.parse("2031-02-03T04:05:06.789Z");
    database.insert(
        ExperimentRow.of("row_built", ExperimentStatus.STOPPED)
            .withVariants(List.of("a", "b", "c"), 0.2, 0.3, 0.5)
            .withEndDate(end));

    assertThat(query(database, "SELECT status::text FROM \"ABTest\" WHERE id = 'row_built'"))
        .isEqualTo("STOPPED");
    assertThat(query(database, "SELECT \"endDate\"::text FROM \"ABTest\" WHERE id = 'row_built'"))
        .isEqualTo("2031-02-03 04:05:06.789");
    assertThat(
            query(
                database,
                "SELECT configuration->'distribution'->>2 FROM \"ABTest\" WHERE id = 'row_built'"))
        .isEqualTo("0.5");
  }

  @Test
  void anotherDatabaseIsFreshAndMigrated(PostgresDatabase database) throws Exception {
    database.insert(ExperimentRow.pending("row_only_here"));
    PostgresDatabase other = database.another();

    assertThat(other.name()).isNotEqualTo(database.name());
    assertThat(query(other, "SELECT count(*) FROM \"ABTest\" WHERE id = 'row_only_here'"))
        .isEqualTo("0");
  }

  @Test
  void theSharedServerCannotBeHandedOutToStop(PostgresDatabase database) {
    assertThatThrownBy(database::server)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ownServer = true");
  }

  @Test
  void theDefaultRowIsValidAndItsTimesAreMilliseconds() {
    ExperimentRow row = ExperimentRow.pending("x");
    assertThat(row.configuration()).isEqualTo(ExperimentRow.VALID_CONFIGURATION);
    assertThat(row.endDate()).isAfter(Instant.now().plus(29, ChronoUnit.DAYS));
    assertThat(row.startDate().getNano() % 1_000_000).isZero();
    assertThat(ExperimentRow.configuration(List.of("control", "x"), 1, 0))
        .isEqualTo("{\"variants\": [\"control\", \"x\"], \"distribution\": [1, 0]}");
  }

  static String query(PostgresDatabase database, String sql) throws Exception {
    try (Connection c = database.connect();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
