package dev.abtest.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** What the race tests wait for: another transaction blocked on a row lock the test holds. */
public final class RowLocks {
  private RowLocks() {}

  /**
   * How many backends of the database wait for a lock right now. Ask on a connection outside any
   * open transaction: pg_stat_activity is a snapshot taken once per transaction.
   */
  public static int waitingForALock(DataSource dataSource) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity"
                    + " WHERE datname = current_database() AND wait_event_type = 'Lock'")) {
      rs.next();
      return rs.getInt(1);
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read pg_stat_activity: " + e.getMessage(), e);
    }
  }
}
