package dev.abtest.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Maps the experiment columns (snake_case aliases, status and configuration as text) to an {@link
 * Experiment}. The Prisma columns are {@code TIMESTAMP(3)} holding UTC, read as local date-times.
 */
public final class ExperimentRowMapper implements RowMapper<Experiment> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public Experiment map(ResultSet rs, StatementContext ctx) throws SQLException {
    return new Experiment(
        rs.getString("id"),
        rs.getString("name"),
        rs.getString("description"),
        utc(rs, "start_date"),
        utc(rs, "end_date"),
        status(rs.getString("status")),
        configuration(rs.getString("configuration")),
        utc(rs, "created_at"),
        utc(rs, "updated_at"));
  }

  static Instant utc(ResultSet rs, String column) throws SQLException {
    LocalDateTime value = rs.getObject(column, LocalDateTime.class);
    return value == null ? null : value.toInstant(ZoneOffset.UTC);
  }

  static ExperimentStatus status(String label) {
    try {
      return ExperimentStatus.valueOf(label);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalStateException("Unknown experiment status in the database: " + label, e);
    }
  }

  /**
   * Parses the JSONB text. Whatever it holds must not break the read: validation rejects what is
   * not a usable configuration, so unparseable text becomes a text node and SQL NULL a null node.
   */
  static JsonNode configuration(String text) {
    if (text == null) {
      return NullNode.getInstance();
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(text);
    }
  }
}
