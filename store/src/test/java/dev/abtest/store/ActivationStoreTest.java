package dev.abtest.store;

import static dev.abtest.activation.ExperimentStatus.ACTIVE;
import static dev.abtest.activation.ExperimentStatus.PENDING;
import static dev.abtest.activation.ExperimentStatus.STOPPED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.WriteResult;
import dev.abtest.activation.WriteResult.Kind;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.RowLocks;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ActivationStoreTest extends FreshStoreTest {
  @Test
  void findReadsTheWholeRowWithUtcTimestampsAndConfigurationAsJson() {
    ExperimentRow inserted =
        insert(ExperimentRow.of("exp_read", PENDING).withDescription("fixture"));

    Experiment row = store.find("exp_read").orElseThrow();

    assertThat(row.id()).isEqualTo("exp_read");
    assertThat(row.name()).isEqualTo("Experiment exp_read");
    assertThat(row.description()).isEqualTo("fixture");
    assertThat(row.status()).isEqualTo(PENDING);
    assertThat(row.startDate()).isEqualTo(inserted.startDate());
    assertThat(row.endDate()).isEqualTo(inserted.endDate());
    assertThat(row.updatedAt()).isEqualTo(inserted.updatedAt());
    assertThat(row.createdAt()).isCloseTo(Instant.now(), within(1, ChronoUnit.MINUTES));
    assertThat(row.configuration().get("variants").get(1).asText()).isEqualTo("treatment");
    assertThat(row.configuration().get("distribution").get(0).asDouble()).isEqualTo(0.5);
  }

  @Test
  void findOfAMissingIdIsEmpty() {
    assertThat(store.find("exp_missing")).isEmpty();
  }

  @Test
  void configurationThatIsNotAnObjectIsReadAsIs() {
    insert(ExperimentRow.of("exp_text", PENDING).withConfiguration("\"not a configuration\""));
    insert(ExperimentRow.of("exp_null", PENDING).withConfiguration("null"));

    assertThat(store.find("exp_text").orElseThrow().configuration())
        .isEqualTo(TextNode.valueOf("not a configuration"));
    assertThat(store.find("exp_null").orElseThrow().configuration())
        .isEqualTo(NullNode.getInstance());
  }

  @Test
  void activatingAPendingExperimentSetsStatusStartDateAndUpdatedAtToNow() {
    insert(ExperimentRow.of("exp_pending", PENDING));
    Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);

    WriteResult result = store.activateIfActivatable("exp_pending", "alice", "wf-1", "run-1", null);

    Instant after = Instant.now();
    assertThat(result.kind()).isEqualTo(Kind.WRITTEN);
    assertThat(result.previousStatus()).isEqualTo(PENDING);
    assertThat(result.activatedAt()).isBetween(before, after);
    Experiment row = store.find("exp_pending").orElseThrow();
    assertThat(row.status()).isEqualTo(ACTIVE);
    assertThat(row.startDate()).isEqualTo(result.activatedAt());
    assertThat(row.updatedAt()).isEqualTo(result.activatedAt());
    assertThat(result.experiment()).isEqualTo(row);
  }

  @Test
  void resumingAStoppedExperimentKeepsItsStartDate() {
    ExperimentRow inserted = insert(ExperimentRow.of("exp_stopped", STOPPED));

    WriteResult result = store.activateIfActivatable("exp_stopped", "bob", "wf-1", "run-1", null);

    assertThat(result.kind()).isEqualTo(Kind.WRITTEN);
    assertThat(result.previousStatus()).isEqualTo(STOPPED);
    Experiment row = store.find("exp_stopped").orElseThrow();
    assertThat(row.status()).isEqualTo(ACTIVE);
    assertThat(row.startDate()).isEqualTo(inserted.startDate());
    assertThat(row.updatedAt()).isEqualTo(result.activatedAt()).isAfter(inserted.updatedAt());
  }

  @Test
  void activationRecordsWhoFromWhichStatusAndWhichRun() {
    insert(ExperimentRow.of("exp_audit", PENDING));

    WriteResult result = store.activateIfActivatable("exp_audit", "alice", "wf-a", "run-a", null);

    AuditPage page = store.history("exp_audit", 10, null);
    assertThat(page.records()).hasSize(1);
    AuditRecord record = page.records().get(0);
    assertThat(record.experimentId()).isEqualTo("exp_audit");
    assertThat(record.requestedBy()).isEqualTo("alice");
    assertThat(record.previousStatus()).isEqualTo(PENDING);
    assertThat(record.outcome()).isEqualTo(DecisionOutcome.ACTIVATED);
    assertThat(record.decidedAt()).isEqualTo(result.activatedAt());
    assertThat(record.workflowId()).isEqualTo("wf-a");
    assertThat(record.runId()).isEqualTo("run-a");
    assertThat(record.activatedAt()).isEqualTo(result.activatedAt());
  }

  @Test
  void anAnonymousActivationIsRecordedWithoutRequester() {
    insert(ExperimentRow.of("exp_anon", PENDING));

    store.activateIfActivatable("exp_anon", null, "wf-a", "run-a", null);

    assertThat(store.history("exp_anon", 10, null).records().get(0).requestedBy()).isNull();
  }

  @Test
  void anActiveExperimentIsNotWrittenAndReportedAsItIs() {
    ExperimentRow inserted = insert(ExperimentRow.of("exp_active", ACTIVE));
    Experiment before = store.find("exp_active").orElseThrow();

    WriteResult result = store.activateIfActivatable("exp_active", "alice", "wf-1", "run-1", null);

    assertThat(result.kind()).isEqualTo(Kind.ROW_CHANGED);
    assertThat(result.experiment()).isEqualTo(before);
    assertThat(store.find("exp_active").orElseThrow().updatedAt()).isEqualTo(inserted.updatedAt());
    assertThat(activations("exp_active")).isZero();
  }

  @ParameterizedTest
  @EnumSource(
      value = ExperimentStatus.class,
      names = {"COMPLETED", "FAILED"})
  void aTerminalExperimentIsNotWrittenAndReportedAsItIs(ExperimentStatus terminal) {
    insert(ExperimentRow.of("exp_done", terminal));
    Experiment before = store.find("exp_done").orElseThrow();

    WriteResult result = store.activateIfActivatable("exp_done", "alice", "wf-1", "run-1", null);

    assertThat(result.kind()).isEqualTo(Kind.ROW_CHANGED);
    assertThat(result.experiment()).isEqualTo(before);
    assertThat(store.find("exp_done").orElseThrow()).isEqualTo(before);
    assertThat(activations("exp_done")).isZero();
  }

  @Test
  void aMissingExperimentIsNotFound() {
    WriteResult result = store.activateIfActivatable("exp_missing", "alice", "wf-1", "run-1", null);

    assertThat(result.kind()).isEqualTo(Kind.NOT_FOUND);
    assertThat(result.experiment()).isNull();
    assertThat(activations("exp_missing")).isZero();
  }

  @Test
  void aRetryOfTheSameRunReportsItsTransitionAndWritesNothing() {
    insert(ExperimentRow.of("exp_retry", PENDING));
    WriteResult first = store.activateIfActivatable("exp_retry", "alice", "wf-1", "run-1", null);

    WriteResult retry = store.activateIfActivatable("exp_retry", "alice", "wf-1", "run-1", null);

    assertThat(retry.kind()).isEqualTo(Kind.ALREADY_WRITTEN_BY_THIS_RUN);
    assertThat(retry.previousStatus()).isEqualTo(PENDING);
    assertThat(retry.activatedAt()).isEqualTo(first.activatedAt());
    assertThat(retry.experiment()).isEqualTo(first.experiment());
    assertThat(store.find("exp_retry").orElseThrow().updatedAt()).isEqualTo(first.activatedAt());
    assertThat(activations("exp_retry")).isEqualTo(1);
  }

  @Test
  void aRetryOfACommittedRunWritesNothingEvenIfTheExperimentWasStoppedSince() {
    insert(ExperimentRow.of("exp_restop", PENDING));
    WriteResult first = store.activateIfActivatable("exp_restop", "alice", "wf-1", "run-1", null);
    database
        .jdbi()
        .useHandle(
            h -> h.execute("UPDATE \"ABTest\" SET status = 'STOPPED' WHERE id = 'exp_restop'"));

    WriteResult retry = store.activateIfActivatable("exp_restop", "alice", "wf-1", "run-1", null);

    assertThat(retry.kind()).isEqualTo(Kind.ALREADY_WRITTEN_BY_THIS_RUN);
    assertThat(retry.activatedAt()).isEqualTo(first.activatedAt());
    assertThat(store.find("exp_restop").orElseThrow().status()).isEqualTo(STOPPED);
    assertThat(activations("exp_restop")).isEqualTo(1);
  }

  @Test
  void aLaterRunOfAnActiveExperimentWritesNothing() {
    insert(ExperimentRow.of("exp_twice", PENDING));
    store.activateIfActivatable("exp_twice", "alice", "wf-1", "run-1", null);

    WriteResult second = store.activateIfActivatable("exp_twice", "bob", "wf-1", "run-2", null);

    assertThat(second.kind()).isEqualTo(Kind.ROW_CHANGED);
    assertThat(second.experiment().status()).isEqualTo(ACTIVE);
    assertThat(activations("exp_twice")).isEqualTo(1);
  }

  @Test
  void thirtyTwoConcurrentActivationsMakeExactlyOneTransition() throws Exception {
    insert(ExperimentRow.of("exp_race", PENDING));
    int threads = 32;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<WriteResult>> futures = new ArrayList<>();
    try (Database wide = new Database(database.settings().withPoolSize(threads));
        Handle blocker = database.jdbi().open()) {
      ActivationStore racing = new ActivationStore(wide.jdbi());
      // Hold the row lock until every activation is queued on it, so that all 32 truly overlap.
      blocker.begin();
      blocker.execute("SELECT id FROM \"ABTest\" WHERE id = 'exp_race' FOR UPDATE");
      for (int i = 0; i < threads; i++) {
        String runId = "run-" + i;
        Callable<WriteResult> call =
            () -> racing.activateIfActivatable("exp_race", "user-" + runId, "wf-race", runId, null);
        futures.add(pool.submit(call));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> RowLocks.waitingForALock(database.dataSource()), waiting -> waiting == threads);
      blocker.commit();

      List<WriteResult> results = new ArrayList<>();
      for (Future<WriteResult> f : futures) {
        results.add(f.get(30, TimeUnit.SECONDS));
      }

      Map<Kind, Long> byKind =
          results.stream().collect(Collectors.groupingBy(WriteResult::kind, Collectors.counting()));
      assertThat(byKind)
          .containsOnly(Map.entry(Kind.WRITTEN, 1L), Map.entry(Kind.ROW_CHANGED, 31L));
      assertThat(activations("exp_race")).isEqualTo(1);
      WriteResult winner =
          results.stream().filter(r -> r.kind() == Kind.WRITTEN).findFirst().orElseThrow();
      AuditRecord record = store.history("exp_race", 10, null).records().get(0);
      assertThat(record.requestedBy()).isEqualTo("user-" + record.runId());
      assertThat(record.activatedAt()).isEqualTo(winner.activatedAt());
      assertThat(store.find("exp_race").orElseThrow().updatedAt()).isEqualTo(winner.activatedAt());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void historyIsNewestFirstAndPagedWithoutGapsOrRepeats() {
    AuditRowsForTests audit = database.jdbi().onDemand(AuditRowsForTests.class);
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      // Two records share each instant, so the id breaks ties.
      Instant at = base.plusSeconds(i / 2);
      ids.add(
          audit.insert(
              AuditRowsForTests.activated("exp_hist", "wf", "run-" + i, "u" + i, STOPPED, at, 1)));
    }
    audit.insert(AuditRowsForTests.activated("exp_other", "wf", "run-x", null, PENDING, base, 1));

    List<Long> seen = new ArrayList<>();
    AuditCursor cursor = null;
    int pages = 0;
    do {
      AuditPage page = store.history("exp_hist", 3, cursor);
      page.records().forEach(r -> seen.add(r.id()));
      cursor = page.next().orElse(null);
      if (cursor != null) {
        cursor = AuditCursor.parse(cursor.token());
      }
      pages++;
    } while (cursor != null);

    List<Long> expected = new ArrayList<>(ids);
    expected.sort((a, b) -> Long.compare(b, a));
    assertThat(seen).isEqualTo(expected);
    assertThat(pages).isEqualTo(3);
    assertThat(activations("exp_hist")).isEqualTo(7);
  }

  @Test
  void historyRefusesAPageSizeOutOfRange() {
    assertThatThrownBy(() -> store.history("exp", 0, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.history("exp", ActivationStore.MAX_PAGE_SIZE + 1, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aDatabaseErrorPropagatesInsteadOfAnOutcome() {
    database.jdbi().useHandle(h -> h.execute("DROP TABLE experiment_activation_audit"));

    assertThatThrownBy(() -> store.activateIfActivatable("exp_any", "alice", "wf-1", "run-1", null))
        .isInstanceOf(RuntimeException.class)
        .hasMessageContaining("experiment_activation_audit");
  }

  /** How many transitions (ACTIVATED records) of the experiment are recorded. */
  private long activations(String experimentId) {
    return database.jdbi().onDemand(AuditRowsForTests.class).countActivations(experimentId);
  }
}
