package dev.abtest.store;

import dev.abtest.activation.DecisionOutcome;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Maps an {@code experiment_activation_audit} row; {@code violation_codes} is read as the text
 * {@code violation_codes_text} (comma-separated: codes are enum names).
 */
public final class AuditRecordMapper implements RowMapper<AuditRecord> {
  @Override
  public AuditRecord map(ResultSet rs, StatementContext ctx) throws SQLException {
    String previous = rs.getString("previous_status");
    int attempts = rs.getInt("write_attempts");
    Integer writeAttempts = rs.wasNull() ? null : attempts;
    return new AuditRecord(
        rs.getLong("id"),
        rs.getString("experiment_id"),
        rs.getString("workflow_id"),
        rs.getString("run_id"),
        rs.getString("requested_by"),
        previous == null ? null : ExperimentRowMapper.status(previous),
        outcome(rs.getString("outcome")),
        codes(rs.getString("violation_codes_text")),
        ExperimentRowMapper.utc(rs, "decided_at"),
        ExperimentRowMapper.utc(rs, "activated_at"),
        writeAttempts,
        ExperimentRowMapper.utc(rs, "scheduled_for"),
        rs.getString("decision_key"));
  }

  private static DecisionOutcome outcome(String label) {
    try {
      return DecisionOutcome.valueOf(label);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException("Unknown audit outcome in the database: " + label, e);
    }
  }

  static List<String> codes(String text) {
    return text == null || text.isEmpty() ? List.of() : Arrays.asList(text.split(","));
  }

  /** An instant as the UTC local date-time a {@code TIMESTAMP(3)} column holds; null stays null. */
  static LocalDateTime utc(Instant instant) {
    return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  /** The text form bound for {@code string_to_array(:codes, ',')}. */
  static String codesText(List<String> codes) {
    return String.join(",", codes);
  }
}
