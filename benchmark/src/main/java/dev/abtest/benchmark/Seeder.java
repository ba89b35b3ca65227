package dev.abtest.benchmark;

import dev.abtest.testing.ExperimentRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Writes fresh PENDING experiments (valid configuration, end date in 30 days) into the Prisma
 * {@code "ABTest"} table with the tests' {@link ExperimentRow}, so every scenario activates
 * experiments nobody touched before.
 */
final class Seeder {
  private final DataSource dataSource;

  Seeder(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Inserts {@code count} experiments named {@code <prefix>-<i>} and returns their ids in order.
   */
  List<String> pending(String prefix, int count) {
    List<ExperimentRow> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      String id = prefix + "-" + i;
      rows.add(ExperimentRow.pending(id).withName("Benchmark " + id));
    }
    ExperimentRow.insertAll(dataSource, rows);
    return rows.stream().map(ExperimentRow::id).toList();
  }

  /** How many experiments with this id prefix are ACTIVE. */
  long activeCount(String prefix) throws SQLException {
    return count(
        "SELECT count(*) FROM \"ABTest\" WHERE id LIKE ? AND status = 'ACTIVE'", prefix + "-%");
  }

  long count(String sql, String parameter) throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement query = c.prepareStatement(sql)) {
      query.setString(1, parameter);
      try (ResultSet rs = query.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
