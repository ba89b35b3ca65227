package dev.abtest.store;

import dev.abtest.activation.ExperimentStatus;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jdbi.v3.core.Jdbi;

/** Inserts experiment rows the way the original application would. */
final class ExperimentFixtures {
  static final String VALID_CONFIGURATION =
      "{\"variants\": [\"control\", \"treatment\"], \"distribution\": [0.5, 0.5]}";

  /** Row values; {@code startDate} and {@code updatedAt} are in the past so changes are visible. */
  record NewExperiment(
      String id,
      ExperimentStatus status,
      String configuration,
      Instant startDate,
      Instant endDate,
      Instant updatedAt) {

    static NewExperiment of(String id, ExperimentStatus status) {
      Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      return new NewExperiment(
          id,
          status,
          VALID_CONFIGURATION,
          now.minus(10, ChronoUnit.DAYS),
          now.plus(30, ChronoUnit.DAYS),
          now.minus(5, ChronoUnit.DAYS));
    }

    NewExperiment withConfiguration(String json) {
      return new NewExperiment(id, status, json, startDate, endDate, updatedAt);
    }

    NewExperiment withEndDate(Instant end) {
      return new NewExperiment(id, status, configuration, startDate, end, updatedAt);
    }
  }

  private ExperimentFixtures() {}

  static NewExperiment insert(Jdbi jdbi, String id, ExperimentStatus status) {
    return insert(jdbi, NewExperiment.of(id, status));
  }

  static NewExperiment insert(Jdbi jdbi, NewExperiment e) {
    jdbi.useHandle(
        handle ->
            handle
                .createUpdate(
                    "INSERT INTO \"ABTest\" (id, name, description, \"startDate\", \"endDate\","
                        + " status, configuration, \"updatedAt\") VALUES (:id, :name,"
                        + " :description, :startDate, :endDate, CAST(:status AS"
                        + " \"ExperimentStatus\"), CAST(:configuration AS jsonb), :updatedAt)")
                .bind("id", e.id())
                .bind("name", "Experiment " + e.id())
                .bind("description", "fixture")
                .bind("startDate", utc(e.startDate()))
                .bind("endDate", utc(e.endDate()))
                .bind("status", e.status().name())
                .bind("configuration", e.configuration())
                .bind("updatedAt", utc(e.updatedAt()))
                .execute());
    return e;
  }

  static LocalDateTime utc(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}
