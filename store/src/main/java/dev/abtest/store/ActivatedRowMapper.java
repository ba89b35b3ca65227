package dev.abtest.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Maps the row returned by {@code activateAndAudit}: the experiment plus the transition's facts.
 */
public final class ActivatedRowMapper implements RowMapper<ActivatedRow> {
  private final ExperimentRowMapper experiments = new ExperimentRowMapper();

  @Override
  public ActivatedRow map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new ActivatedRow(
        experiments.map(rs, ctx),
        ExperimentRowMapper.status(rs.getString("previous_status")),
        ExperimentRowMapper.utc(rs, "activated_at"));
  }
}
