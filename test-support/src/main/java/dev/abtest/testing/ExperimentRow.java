package dev.abtest.testing;

import dev.abtest.activation.ExperimentStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * A row of the Prisma {@code "ABTest"} table as the original application writes it: the one place
 * tests (and the benchmark) write experiments. Immutable; each {@code withX} returns a copy.
 *
 * <p>{@link #of} makes a valid row: a 50/50 configuration, started 10 days ago, ending in 30 days,
 * last updated 5 days ago (so an activation's changes to the dates are visible). Times are kept to
 * the millisecond, as {@code TIMESTAMP(3)} stores them.
 */
public record ExperimentRow(
    String id,
    String name,
    String description,
    ExperimentStatus status,
    String configuration,
    Instant startDate,
    Instant endDate,
    Instant updatedAt) {

  public static final String VALID_CONFIGURATION =
      "{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.5, 0.5]}";

  private static final String INSERT =
      "INSERT INTO \"ABTest\" (id, name, description, \"startDate\", \"endDate\", status,"
          + " configuration, \"updatedAt\") VALUES (?, ?, ?, ?, ?, CAST(? AS"
          + " \"ExperimentStatus\"), CAST(? AS jsonb), ?)";

  public ExperimentRow {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(configuration, "configuration");
    startDate = millis(Objects.requireNonNull(startDate, "startDate"));
    endDate = millis(Objects.requireNonNull(endDate, "endDate"));
    updatedAt = millis(Objects.requireNonNull(updatedAt, "updatedAt"));
  }

  /** A valid experiment with this id and status. */
  public static ExperimentRow of(String id, ExperimentStatus status) {
    Instant now = Instant.now();
    return new ExperimentRow(
        id,
        "Experiment " + id,
        null,
        status,
        VALID_CONFIGURATION,
        now.minus(10, ChronoUnit.DAYS),
        now.plus(30, ChronoUnit.DAYS),
        now.minus(5, ChronoUnit.DAYS));
  }

  public static ExperimentRow pending(String id) {
    return of(id, ExperimentStatus.PENDING);
  }

  /** The configuration JSON of these variants and weights (any lengths: rule-breaking ones too). */
  public static String configuration(List<String> variants, double... weights) {
    String names =
        variants.stream()
            .map(v -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"")
            .collect(Collectors.joining(", "));
    StringBuilder distribution = new StringBuilder();
    for (double weight : weights) {
      distribution.append(distribution.length() == 0 ? "" : ", ").append(format(weight));
    }
    return "{\"variants\": [" + names + "], \"distribution\": [" + distribution + "]}";
  }

  public ExperimentRow withName(String newName) {
    return new ExperimentRow(
        id, newName, description, status, configuration, startDate, endDate, updatedAt);
  }

  public ExperimentRow withDescription(String newDescription) {
    return new ExperimentRow(
        id, name, newDescription, status, configuration, startDate, endDate, updatedAt);
  }

  public ExperimentRow withStatus(ExperimentStatus newStatus) {
    return new ExperimentRow(
        id, name, description, newStatus, configuration, startDate, endDate, updatedAt);
  }

  /** With this configuration JSON, as stored (any text: unusable ones too). */
  public ExperimentRow withConfiguration(String json) {
    return new ExperimentRow(id, name, description, status, json, startDate, endDate, updatedAt);
  }

  public ExperimentRow withVariants(List<String> variants, double... weights) {
    return withConfiguration(configuration(variants, weights));
  }

  public ExperimentRow withStartDate(Instant start) {
    return new ExperimentRow(
        id, name, description, status, configuration, start, endDate, updatedAt);
  }

  public ExperimentRow withEndDate(Instant end) {
    return new ExperimentRow(
        id, name, description, status, configuration, startDate, end, updatedAt);
  }

  public ExperimentRow withUpdatedAt(Instant updated) {
    return new ExperimentRow(
        id, name, description, status, configuration, startDate, endDate, updated);
  }

  /** Inserts this row; returns it. */
  public ExperimentRow insert(DataSource dataSource) {
    insertAll(dataSource, List.of(this));
    return this;
  }

  /** Inserts this row over {@code connection}, in its transaction. */
  public ExperimentRow insert(Connection connection) throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      bind(insert);
      insert.executeUpdate();
    }
    return this;
  }

  /** Inserts the rows in one transaction, in batches. */
  public static void insertAll(DataSource dataSource, Collection<ExperimentRow> rows) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement insert = c.prepareStatement(INSERT)) {
        int batched = 0;
        for (ExperimentRow row : rows) {
          row.bind(insert);
          insert.addBatch();
          if (++batched % 500 == 0) {
            insert.executeBatch();
          }
        }
        insert.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not insert experiment rows: " + e.getMessage(), e);
    }
  }

  private void bind(PreparedStatement insert) throws SQLException {
    insert.setString(1, id);
    insert.setString(2, name);
    insert.setString(3, description);
    insert.setObject(4, utc(startDate));
    insert.setObject(5, utc(endDate));
    insert.setString(6, status.name());
    insert.setString(7, configuration);
    insert.setObject(8, utc(updatedAt));
  }

  /** The UTC wall-clock time the Prisma columns (without time zone) hold for {@code instant}. */
  public static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  private static Instant millis(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MILLIS);
  }

  private static String format(double weight) {
    return weight == Math.rint(weight)
        ? String.format(Locale.ROOT, "%.0f", weight)
        : Double.toString(weight);
  }
}
