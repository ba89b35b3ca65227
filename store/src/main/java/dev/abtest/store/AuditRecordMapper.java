package dev.abtest.store;

import dev.abtest.activation.Outcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Maps an {@code experiment_activation_audit} row. */
public final class AuditRecordMapper implements RowMapper<AuditRecord> {
  @Override
  public AuditRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new AuditRecord(
        rs.getLong("id"),
        rs.getString("experiment_id"),
        rs.getString("workflow_id"),
        rs.getString("run_id"),
        rs.getString("requested_by"),
        ExperimentRowMapper.status(rs.getString("previous_status")),
        Outcome.valueOf(rs.getString("outcome")),
        ExperimentRowMapper.utc(rs, "activated_at"));
  }
}
