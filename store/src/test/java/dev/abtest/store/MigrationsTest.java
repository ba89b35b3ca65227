package dev.abtest.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.PostgresDatabase;
import dev.abtest.testing.PostgresTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Migrations against a fresh database and against one the original (Prisma) application made. */
@PostgresTest(migrated = false)
class MigrationsTest {
  /** What {@code prisma migrate} generates for the original schema, verbatim. */
  static final String PRISMA_MIGRATION_SQL =
      """
      -- CreateEnum
      CREATE TYPE "ExperimentStatus" AS ENUM ('PENDING', 'ACTIVE', 'COMPLETED', 'STOPPED', 'FAILED');

      -- CreateTable
      CREATE TABLE "ABTest" (
          "id" TEXT NOT NULL,
          "name" TEXT NOT NULL,
          "description" TEXT,
          "startDate" TIMESTAMP(3) NOT NULL,
          "endDate" TIMESTAMP(3) NOT NULL,
          "status" "ExperimentStatus" NOT NULL,
          "configuration" JSONB NOT NULL,
          "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
          "updatedAt" TIMESTAMP(3) NOT NULL,

          CONSTRAINT "ABTest_pkey" PRIMARY KEY ("id")
      );
      """;

  /** The table Prisma keeps its own migration history in. */
  static final String PRISMA_HISTORY_SQL =
      """
      CREATE TABLE "_prisma_migrations" (
          "id" VARCHAR(36) PRIMARY KEY NOT NULL,
          "checksum" VARCHAR(64) NOT NULL,
          "finished_at" TIMESTAMPTZ,
          "migration_name" VARCHAR(255) NOT NULL,
          "logs" TEXT,
          "rolled_back_at" TIMESTAMPTZ,
          "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
          "applied_steps_count" INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
      VALUES ('6f1d3c1e-8a4b-4a53-9d0e-1f5a2b3c4d5e',
              'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c',
              '2025-06-01 10:00:00+00', '20250601100000_init', 1);
      """;

  static final String PRISMA_ROWS_SQL =
      """
      INSERT INTO "ABTest" (id, name, description, "startDate", "endDate", status, configuration,
                            "createdAt", "updatedAt") VALUES
        ('exp_live', 'Live', NULL, '2025-06-02 08:00:00.123', '2027-01-01 00:00:00', 'ACTIVE',
         '{"variants": ["a", "b"], "distribution": [0.5, 0.5]}', '2025-06-01 12:00:00.5',
         '2025-06-02 08:00:00.123'),
        ('exp_draft', 'Draft', 'next quarter', '2026-01-01 00:00:00', '2027-01-01 00:00:00',
         'PENDING', '{"variants": ["a", "b", "c"], "distribution": [0.2, 0.3, 0.5], "extra": true}',
         '2025-06-03 09:30:00', '2025-06-03 09:30:00'),
        ('exp_odd', 'Odd', '', '2025-01-01 00:00:00', '2025-02-01 00:00:00', 'FAILED', '[]',
         '2025-01-01 00:00:00', '2025-02-01 00:00:00');
      """;

  @Test
  void aFreshDatabaseGetsTheExperimentTableExactlyAsPrismaWouldCreateIt() {
    SchemaSnapshot prisma;
    try (Database db = new Database(newDatabase())) {
      db.jdbi().useHandle(h -> h.createScript(PRISMA_MIGRATION_SQL).execute());
      prisma = SchemaSnapshot.of(db.jdbi(), List.of("ABTest"));
    }

    try (Database db = new Database(newDatabase())) {
      assertThat(db.migrate()).isEqualTo(3);

      assertThat(SchemaSnapshot.of(db.jdbi(), List.of("ABTest"))).isEqualTo(prisma);
      assertThat(tables(db.jdbi()))
          .contains("ABTest", "experiment_activation_audit", Database.HISTORY_TABLE);
    }
  }

  @Test
  void anExistingPrismaSchemaAndItsRowsAreLeftExactlyAsTheyWere() {
    try (Database db = new Database(newDatabase())) {
      db.jdbi()
          .useHandle(
              h -> {
                h.createScript(PRISMA_HISTORY_SQL).execute();
                h.createScript(PRISMA_MIGRATION_SQL).execute();
                h.createScript(PRISMA_ROWS_SQL).execute();
              });
      List<String> prismaTables = List.of("ABTest", "_prisma_migrations");
      SchemaSnapshot before = SchemaSnapshot.of(db.jdbi(), prismaTables);
      List<String> rowsBefore = rows(db.jdbi(), prismaTables);
      assertThat(before.columns()).hasSize(9 + 8);
      assertThat(before.enumLabels()).hasSize(5);
      assertThat(before.constraints()).hasSize(2);
      assertThat(before.indexes()).hasSize(2);

      int applied = db.migrate();

      assertThat(applied).isEqualTo(3);
      assertThat(SchemaSnapshot.of(db.jdbi(), prismaTables)).isEqualTo(before);
      assertThat(rows(db.jdbi(), prismaTables)).isEqualTo(rowsBefore).hasSize(4);
      assertThat(tables(db.jdbi())).contains("experiment_activation_audit");
      assertThat(appliedVersions(db.jdbi())).containsExactly("0", "1", "2", "3");
    }
  }

  @Test
  void theStoreWorksOnTheOriginalApplicationsRowsAfterMigration() {
    try (Database db = new Database(newDatabase())) {
      db.jdbi()
          .useHandle(
              h -> {
                h.createScript(PRISMA_MIGRATION_SQL).execute();
                h.createScript(PRISMA_ROWS_SQL).execute();
              });
      db.migrate();
      ActivationStore store = new ActivationStore(db.jdbi());

      assertThat(store.find("exp_live").orElseThrow().startDate())
          .hasToString("2025-06-02T08:00:00.123Z");
      assertThat(store.activateIfActivatable("exp_draft", "ops", "wf", "run", 1).kind().name())
          .isEqualTo("WRITTEN");
      assertThat(db.jdbi().onDemand(AuditRowsForTests.class).countActivations("exp_draft"))
          .isEqualTo(1);
    }
  }

  @Test
  void auditRowsRecordedBeforeEveryDecisionWasAuditedKeepTheirMeaning() {
    try (Database db = new Database(newDatabase())) {
      db.jdbi().useHandle(h -> h.createScript(PRISMA_MIGRATION_SQL).execute());
      flyway(db).target("2").load().migrate();
      db.jdbi()
          .useHandle(
              h ->
                  h.execute(
                      "INSERT INTO experiment_activation_audit (experiment_id, workflow_id, run_id,"
                          + " requested_by, previous_status, outcome, activated_at) VALUES"
                          + " ('exp_old', 'activate-experiment:exp_old', 'run-old', 'alice',"
                          + " 'STOPPED', 'ACTIVATED', '2026-03-04 05:06:07.089')"));

      assertThat(db.migrate()).isEqualTo(1);

      ActivationStore store = new ActivationStore(db.jdbi());
      AuditRecord old = store.history("exp_old", 10, null).records().get(0);
      java.time.Instant at = java.time.Instant.parse("2026-03-04T05:06:07.089Z");
      assertThat(old.outcome()).isEqualTo(dev.abtest.activation.DecisionOutcome.ACTIVATED);
      assertThat(old.previousStatus()).isEqualTo(ExperimentStatus.STOPPED);
      assertThat(old.requestedBy()).isEqualTo("alice");
      assertThat(old.activatedAt()).isEqualTo(at);
      assertThat(old.decidedAt()).isEqualTo(at);
      assertThat(old.violationCodes()).isEmpty();
      assertThat(old.writeAttempts()).isNull();
      assertThat(old.decisionKey()).isEqualTo(AuditRecord.ACTIVATION_KEY);
      assertThat(db.jdbi().onDemand(AuditRowsForTests.class).countActivations("exp_old"))
          .isEqualTo(1);
      // The run's transition is still found, so a retry of that run writes nothing.
      Instant january = Instant.parse("2026-01-01T00:00:00Z");
      ExperimentRow.of("exp_old", ExperimentStatus.STOPPED)
          .withStartDate(january)
          .withUpdatedAt(january)
          .withEndDate(Instant.parse("2099-01-01T00:00:00Z"))
          .insert(db.dataSource());
      assertThat(
              store
                  .activateIfActivatable(
                      "exp_old", "bob", "activate-experiment:exp_old", "run-old", 1)
                  .activatedAt())
          .isEqualTo(at);
      assertThat(store.find("exp_old").orElseThrow().status()).isEqualTo(ExperimentStatus.STOPPED);
    }
  }

  private static org.flywaydb.core.api.configuration.FluentConfiguration flyway(Database db) {
    return org.flywaydb.core.Flyway.configure()
        .dataSource(db.dataSource())
        .locations(Database.MIGRATIONS)
        .table(Database.HISTORY_TABLE)
        .baselineOnMigrate(true)
        .baselineVersion("0");
  }

  @Test
  void migratingTwiceChangesNothingTheSecondTime() {
    try (Database db = new Database(newDatabase())) {
      db.jdbi().useHandle(h -> h.createScript(PRISMA_MIGRATION_SQL).execute());
      db.migrate();
      List<String> all = tables(db.jdbi());
      SchemaSnapshot once = SchemaSnapshot.of(db.jdbi(), all);
      List<String> historyOnce = rows(db.jdbi(), List.of(Database.HISTORY_TABLE));

      assertThat(db.migrate()).isZero();

      assertThat(SchemaSnapshot.of(db.jdbi(), all)).isEqualTo(once);
      assertThat(rows(db.jdbi(), List.of(Database.HISTORY_TABLE))).isEqualTo(historyOnce);
    }
  }

  @Test
  void workersStartingTogetherMigrateOnce() throws Exception {
    DatabaseSettings settings = newDatabase();
    try (Database setup = new Database(settings)) {
      setup.jdbi().useHandle(h -> h.createScript(PRISMA_MIGRATION_SQL).execute());
    }
    int workers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Database> databases = new ArrayList<>();
    try {
      List<Future<Integer>> runs = new ArrayList<>();
      CountDownLatch go = new CountDownLatch(1);
      for (int i = 0; i < workers; i++) {
        Database db = new Database(settings);
        databases.add(db);
        runs.add(
            pool.submit(
                () -> {
                  go.await();
                  return db.migrate();
                }));
      }
      go.countDown();
      List<Integer> applied = new ArrayList<>();
      for (Future<Integer> run : runs) {
        applied.add(run.get(60, TimeUnit.SECONDS));
      }

      assertThat(applied.stream().mapToInt(Integer::intValue).sum()).isEqualTo(3);
      assertThat(appliedVersions(databases.get(0).jdbi())).containsExactly("0", "1", "2", "3");
    } finally {
      pool.shutdownNow();
      databases.forEach(Database::close);
    }
  }

  private static List<String> tables(Jdbi jdbi) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT table_name FROM information_schema.tables"
                        + " WHERE table_schema = current_schema() ORDER BY table_name")
                .mapTo(String.class)
                .list());
  }

  private static List<String> appliedVersions(Jdbi jdbi) {
    return jdbi.withHandle(
        h ->
            h.createQuery(
                    "SELECT version FROM "
                        + Database.HISTORY_TABLE
                        + " WHERE success ORDER BY installed_rank")
                .mapTo(String.class)
                .list());
  }

  /** Every row of the tables, as JSON text, in a stable order. */
  private static List<String> rows(Jdbi jdbi, List<String> tables) {
    return jdbi.withHandle(
        h -> {
          List<String> all = new java.util.ArrayList<>();
          for (String table : tables) {
            all.addAll(rowsOf(h, table));
          }
          return all;
        });
  }

  private static List<String> rowsOf(Handle h, String table) {
    return h.createQuery("SELECT row_to_json(t)::text AS r FROM \"" + table + "\" t ORDER BY 1")
        .mapTo(String.class)
        .list();
  }

  private static PostgresDatabase postgres;

  @BeforeAll
  static void rememberServer(PostgresDatabase database) {
    postgres = database;
  }

  /** A new, empty database; its settings in the contract's postgresql:// form. */
  private static DatabaseSettings newDatabase() {
    return DatabaseSettings.parse(postgres.another().postgresqlUrl());
  }
}
