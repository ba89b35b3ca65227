package dev.abtest.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.postgres.PostgresPlugin;
import org.jdbi.v3.sqlobject.SqlObjectPlugin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, Jdbi and migrations of one PostgreSQL database. Every connection runs in
 * UTC, because the Prisma columns are {@code TIMESTAMP(3)} without a time zone and hold UTC times.
 */
public final class Database implements AutoCloseable {
  /** Flyway's history table for our migrations, apart from anything else living in the schema. */
  public static final String HISTORY_TABLE = "activation_schema_history";

  public static final String MIGRATIONS = "classpath:db/migration/activation";

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  // A socket read that hangs longer than this is a dead server: fail the attempt so Temporal
  // retries.
  private static final int SOCKET_TIMEOUT_SECONDS = 20;

  private final DatabaseSettings settings;
  private final HikariDataSource dataSource;
  private final Jdbi jdbi;
  private final ExecutorService probes;

  public Database(DatabaseSettings settings) {
    this.settings = settings;
    this.dataSource = new HikariDataSource(poolConfig(settings));
    this.jdbi =
        Jdbi.create(dataSource)
            .installPlugin(new SqlObjectPlugin())
            .installPlugin(new PostgresPlugin());
    this.probes =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "database-readiness-probe");
              thread.setDaemon(true);
              return thread;
            });
  }

  private static HikariConfig poolConfig(DatabaseSettings settings) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("activation-db");
    config.setJdbcUrl(settings.jdbcUrl());
    config.setUsername(settings.user());
    config.setPassword(settings.password());
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(Math.min(2, settings.poolSize()));
    config.setConnectionTimeout(settings.connectionTimeout().toMillis());
    config.setValidationTimeout(Math.min(settings.connectionTimeout().toMillis(), 3_000));
    config.setConnectionInitSql("SET TIME ZONE 'UTC'");
    // Build the pool even while the database is down: callers fail per request, and recover with
    // it.
    config.setInitializationFailTimeout(-1);
    config.addDataSourceProperty(
        "connectTimeout", Math.max(1, settings.connectionTimeout().toSeconds()));
    config.addDataSourceProperty("socketTimeout", SOCKET_TIMEOUT_SECONDS);
    config.addDataSourceProperty("ApplicationName", "experiment-activation");
    return config;
  }

  public DatabaseSettings settings() {
    return settings;
  }

  public Jdbi jdbi() {
    return jdbi;
  }

  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Whether a {@code SELECT 1} answers within {@code timeout}; for readiness checks. Never throws
   * and never blocks much longer than {@code timeout}.
   */
  public boolean isReachable(Duration timeout) {
    CompletableFuture<Boolean> probe = CompletableFuture.supplyAsync(this::selectOne, probes);
    try {
      return probe.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | ExecutionException e) {
      probe.cancel(true);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private boolean selectOne() {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.setQueryTimeout(Math.max(1, (int) settings.connectionTimeout().toSeconds()));
      try (ResultSet rs = statement.executeQuery("SELECT 1")) {
        return rs.next();
      }
    } catch (Exception e) {
      log.debug("Database {} not reachable: {}", settings.redactedUrl(), e.toString());
      return false;
    }
  }

  /**
   * Creates the Prisma experiment table where it is missing and the project's own tables, recording
   * them in {@link #HISTORY_TABLE}. On a database that already holds the original application's
   * schema it baselines first, then runs every migration (each only creates what is missing).
   *
   * @return how many migrations ran (0 when up to date)
   */
  public int migrate() {
    MigrateResult result =
        Flyway.configure()
            .dataSource(dataSource)
            .locations(MIGRATIONS)
            .table(HISTORY_TABLE)
            .baselineOnMigrate(true)
            .baselineVersion("0")
            .baselineDescription("existing schema (original application)")
            .failOnMissingLocations(true)
            .cleanDisabled(true)
            .load()
            .migrate();
    log.info(
        "Database {} migrated: {} migration(s) applied, schema version {}",
        settings.redactedUrl(),
        result.migrationsExecuted,
        result.targetSchemaVersion == null ? "unchanged" : result.targetSchemaVersion);
    return result.migrationsExecuted;
  }

  @Override
  public void close() {
    probes.shutdownNow();
    dataSource.close();
  }
}
