package dev.abtest.store;

import static dev.abtest.activation.ExperimentStatus.ACTIVE;
import static dev.abtest.activation.ExperimentStatus.PENDING;
import static dev.abtest.activation.ExperimentStatus.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.WriteResult;
import dev.abtest.activation.WriteResult.Kind;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.RowLocks;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The write conditional on the validated snapshot (status, configuration, endDate). */
class SnapshotWriteTest extends FreshStoreTest {
  private WriteResult write(Experiment approved, String runId) {
    return store.activateIfUnchanged(SnapshotWrite.of(approved, "alice", 0), "wf", runId, 1);
  }

  @Test
  void theApprovedRowIsWrittenAndAuditedInOneGo() {
    insert(ExperimentRow.of("exp_ok", PENDING));
    Experiment approved = store.find("exp_ok").orElseThrow();

    WriteResult result = write(approved, "run-1");

    assertThat(result.kind()).isEqualTo(Kind.WRITTEN);
    assertThat(result.previousStatus()).isEqualTo(PENDING);
    assertThat(result.writeAttempts()).isEqualTo(1);
    assertThat(result.experiment().status()).isEqualTo(ACTIVE);
    assertThat(result.experiment().configuration()).isEqualTo(approved.configuration());
    AuditRecord record = store.history("exp_ok", 10, null).records().get(0);
    assertThat(record.activatedAt()).isEqualTo(result.activatedAt());
    assertThat(record.writeAttempts()).isEqualTo(1);
  }

  @Test
  void aSemanticallyEqualConfigurationStillMatches() {
    // jsonb equality: key order and whitespace do not matter.
    insert(
        ExperimentRow.of("exp_eq", STOPPED)
            .withConfiguration(
                "{ \"distribution\" : [0.50, 0.5], \"variants\": [\"control\",\"treatment\"] }"));

    assertThat(write(store.find("exp_eq").orElseThrow(), "run-1").kind()).isEqualTo(Kind.WRITTEN);
  }

  @Test
  void aConfigurationChangedSinceTheValidationIsNotWritten() {
    insert(ExperimentRow.of("exp_cfg", PENDING));
    Experiment approved = store.find("exp_cfg").orElseThrow();
    update(
        "UPDATE \"ABTest\" SET configuration = '{\"variants\": [\"a\"], \"distribution\": [1]}'"
            + " WHERE id = 'exp_cfg'");
    Experiment changed = store.find("exp_cfg").orElseThrow();

    WriteResult result = write(approved, "run-1");

    assertThat(result.kind()).isEqualTo(Kind.ROW_CHANGED);
    assertThat(result.experiment()).isEqualTo(changed);
    assertThat(store.find("exp_cfg").orElseThrow()).isEqualTo(changed);
    assertThat(store.history("exp_cfg", 10, null).records()).isEmpty();
  }

  @Test
  void anEndDateMovedSinceTheValidationIsNotWrittenEvenByAMillisecond() {
    ExperimentRow inserted = insert(ExperimentRow.of("exp_end", PENDING));
    Experiment approved = store.find("exp_end").orElseThrow();
    database
        .jdbi()
        .useHandle(
            h ->
                h.createUpdate("UPDATE \"ABTest\" SET \"endDate\" = :end WHERE id = 'exp_end'")
                    .bind("end", ExperimentRow.utc(inserted.endDate().plus(1, ChronoUnit.MILLIS)))
                    .execute());

    assertThat(write(approved, "run-1").kind()).isEqualTo(Kind.ROW_CHANGED);
    assertThat(store.find("exp_end").orElseThrow().status()).isEqualTo(PENDING);
  }

  @Test
  void aStatusChangedSinceTheValidationIsNotWritten() {
    insert(ExperimentRow.of("exp_st", PENDING));
    Experiment approved = store.find("exp_st").orElseThrow();
    update("UPDATE \"ABTest\" SET status = 'STOPPED' WHERE id = 'exp_st'");

    assertThat(write(approved, "run-1").kind()).isEqualTo(Kind.ROW_CHANGED);
    assertThat(store.find("exp_st").orElseThrow().status()).isEqualTo(STOPPED);
  }

  @Test
  void aRowDeletedSinceTheValidationIsNotFound() {
    insert(ExperimentRow.of("exp_gone", PENDING));
    Experiment approved = store.find("exp_gone").orElseThrow();
    update("DELETE FROM \"ABTest\" WHERE id = 'exp_gone'");

    assertThat(write(approved, "run-1").kind()).isEqualTo(Kind.NOT_FOUND);
  }

  @Test
  void aRetryOfTheRunThatWroteReportsItsTransitionEvenIfTheRowChangedSince() {
    insert(ExperimentRow.of("exp_lost", PENDING));
    Experiment approved = store.find("exp_lost").orElseThrow();
    WriteResult first = write(approved, "run-1");
    update("UPDATE \"ABTest\" SET status = 'STOPPED' WHERE id = 'exp_lost'");

    WriteResult retry =
        store.activateIfUnchanged(SnapshotWrite.of(approved, "alice", 0), "wf", "run-1", 2);

    assertThat(retry.kind()).isEqualTo(Kind.ALREADY_WRITTEN_BY_THIS_RUN);
    assertThat(retry.activatedAt()).isEqualTo(first.activatedAt());
    assertThat(retry.previousStatus()).isEqualTo(PENDING);
    assertThat(retry.writeAttempts()).isEqualTo(2);
    assertThat(activations("exp_lost")).isEqualTo(1);
  }

  /**
   * The SQL's activatable statuses ({@code status IN (...)}) and {@link
   * ExperimentStatus#isActivatable()} are the same set: for every status, a write of an unchanged
   * row writes exactly when Java says the status is activatable.
   */
  @ParameterizedTest
  @EnumSource(ExperimentStatus.class)
  void theSqlActivatesExactlyTheStatusesJavaCallsActivatable(ExperimentStatus status) {
    String id = "exp_" + status.name().toLowerCase();
    insert(ExperimentRow.of(id, status));
    Experiment unchanged = store.find(id).orElseThrow();

    WriteResult snapshot = write(unchanged, "run-snapshot");
    WriteResult statusOnly = store.activateIfActivatable(id, null, "wf", "run-status", 1);

    Kind expected = status.isActivatable() ? Kind.WRITTEN : Kind.ROW_CHANGED;
    assertThat(snapshot.kind()).isEqualTo(expected);
    // The status-only write (runs made before the snapshot write) finds the row written by the
    // first when activatable, so it is judged on an unchanged copy of its own.
    String copy = id + "_copy";
    insert(ExperimentRow.of(copy, status));
    assertThat(store.activateIfActivatable(copy, null, "wf", "run-copy", 1).kind())
        .isEqualTo(expected);
    assertThat(statusOnly.kind()).isEqualTo(Kind.ROW_CHANGED);
  }

  @Test
  void aConfigurationBrokenByATransactionHoldingTheRowLockIsNotWritten() throws Exception {
    insert(ExperimentRow.of("exp_race", PENDING));
    Experiment approved = store.find("exp_race").orElseThrow();
    try (Handle editor = database.jdbi().open()) {
      editor.begin();
      editor.execute("SELECT id FROM \"ABTest\" WHERE id = 'exp_race' FOR UPDATE");
      CompletableFuture<WriteResult> writing =
          CompletableFuture.supplyAsync(() -> write(approved, "run-1"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> RowLocks.waitingForALock(database.dataSource()) == 1);
      editor.execute(
          "UPDATE \"ABTest\" SET configuration = '{\"variants\": [\"a\", \"a\"], \"distribution\":"
              + " [0.5, 0.5]}' WHERE id = 'exp_race'");
      editor.commit();

      WriteResult result = writing.get(30, TimeUnit.SECONDS);

      assertThat(result.kind()).isEqualTo(Kind.ROW_CHANGED);
      assertThat(result.experiment().status()).isEqualTo(PENDING);
      assertThat(result.experiment().configuration().toString()).contains("\"a\",\"a\"");
      assertThat(store.find("exp_race").orElseThrow().status()).isEqualTo(PENDING);
      assertThat(store.history("exp_race", 10, null).records()).isEmpty();
    }
  }

  private void update(String sql) {
    database.jdbi().useHandle(h -> h.execute(sql));
  }

  private long activations(String experimentId) {
    return database.jdbi().onDemand(AuditRowsForTests.class).countActivations(experimentId);
  }
}
