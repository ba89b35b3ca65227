package dev.abtest.benchmark;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Writes fresh PENDING experiments (valid configuration, end date in 30 days) into the Prisma
 * {@code "ABTest"} table, so every scenario activates experiments nobody touched before.
 */
final class Seeder {
  private static final String INSERT =
      "INSERT INTO \"ABTest\" (id, name, description, \"startDate\", \"endDate\", status,"
          + " configuration, \"updatedAt\") VALUES (?, ?, NULL, ?, ?, 'PENDING', CAST(? AS jsonb), ?)";
  private static final String CONFIGURATION =
      "{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.5, 0.5]}";

  private final DataSource dataSource;

  Seeder(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * Inserts {@code count} experiments named {@code <prefix>-<i>} and returns their ids in order.
   */
  List<String> pending(String prefix, int count) throws SQLException {
    List<String> ids = new ArrayList<>(count);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (Connection c = dataSource.getConnection();
        PreparedStatement insert = c.prepareStatement(INSERT)) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      for (int i = 0; i < count; i++) {
        String id = prefix + "-" + i;
        insert.setString(1, id);
        insert.setString(2, "Benchmark " + id);
        insert.setTimestamp(3, Timestamp.from(now));
        insert.setTimestamp(4, Timestamp.from(now.plus(30, ChronoUnit.DAYS)));
        insert.setString(5, CONFIGURATION);
        insert.setTimestamp(6, Timestamp.from(now));
        insert.addBatch();
        ids.add(id);
        if (i % 500 == 499) {
          insert.executeBatch();
        }
      }
      insert.executeBatch();
      c.commit();
      c.setAutoCommit(autoCommit);
    }
    return ids;
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
