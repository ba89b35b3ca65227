package dev.abtest.testing;

import dev.abtest.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * One database of a test class on a real PostgreSQL: where it is ({@link #jdbcUrl()}, {@link
 * #postgresqlUrl()} in the contract's form, user, password), a {@link DataSource}, and {@link
 * #insert} for experiment rows. Made by {@link PostgresExtension}, or by {@link #create} for
 * fixtures outside JUnit's lifecycle; {@link #close()} drops it (and stops an own server).
 */
public final class PostgresDatabase implements AutoCloseable {
  /**
   * Store's migrations and Flyway history table, as {@code dev.abtest.store.Database} uses them.
   */
  static final String MIGRATIONS = "classpath:db/migration/activation";

  static final String HISTORY_TABLE = "activation_schema_history";

  private static final AtomicInteger DATABASES = new AtomicInteger();

  private final EmbeddedPostgres server;
  private final SharedPostgres.Owned ownServer;
  private final String name;
  private final boolean migrated;
  private final PGSimpleDataSource dataSource;
  private final List<PostgresDatabase> others = new ArrayList<>();

  private PostgresDatabase(
      EmbeddedPostgres server, SharedPostgres.Owned ownServer, String name, boolean migrated) {
    this.server = server;
    this.ownServer = ownServer;
    this.name = name;
    this.migrated = migrated;
    this.dataSource = new PGSimpleDataSource();
    dataSource.setUrl(jdbcUrl());
    dataSource.setUser(server.user());
    dataSource.setPassword(server.password());
  }

  /**
   * A fresh database for {@code owner} (its name is part of the database's), migrated or empty, on
   * the JVM's server or on a server of its own.
   */
  public static PostgresDatabase create(Class<?> owner, boolean migrated, boolean ownServer) {
    return create(owner.getSimpleName(), migrated, ownServer);
  }

  /** The same for a fixture named {@code owner} (letters, digits, '-'): part of its names. */
  public static PostgresDatabase create(String owner, boolean migrated, boolean ownServer) {
    SharedPostgres.Owned own = ownServer ? SharedPostgres.startOwn(owner) : null;
    try {
      return create(own == null ? SharedPostgres.server() : own.server(), own, owner, migrated);
    } catch (RuntimeException e) {
      if (own != null) {
        own.close();
      }
      throw e;
    }
  }

  private static PostgresDatabase create(
      EmbeddedPostgres server, SharedPostgres.Owned own, String owner, boolean migrated) {
    String base = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    String numbered = "t" + DATABASES.incrementAndGet() + "_" + base;
    String name = numbered.substring(0, Math.min(numbered.length(), 60));
    server.createDatabase(name);
    PostgresDatabase database = new PostgresDatabase(server, own, name, migrated);
    if (migrated) {
      Flyway.configure()
          .dataSource(database.dataSource)
          .locations(MIGRATIONS)
          .table(HISTORY_TABLE)
          .failOnMissingLocations(true)
          .load()
          .migrate();
    }
    return database;
  }

  /**
   * Another fresh database on the same server, with the same schema, dropped with this one: for
   * tests that each want an empty table.
   */
  public synchronized PostgresDatabase another() {
    PostgresDatabase other = create(server, null, name, migrated);
    others.add(other);
    return other;
  }

  public String name() {
    return name;
  }

  public String jdbcUrl() {
    return server.jdbcUrl(name);
  }

  /** {@code postgresql://user:password@127.0.0.1:port/name}, as POSTGRESQL_URL takes it. */
  public String postgresqlUrl() {
    return server.postgresqlUrl(name);
  }

  public String user() {
    return server.user();
  }

  public String password() {
    return server.password();
  }

  /** Connections without a pool; each one is the test's to close. */
  public DataSource dataSource() {
    return dataSource;
  }

  public Connection connect() throws SQLException {
    return dataSource.getConnection();
  }

  /** Inserts the rows in one transaction. */
  public void insert(ExperimentRow... rows) {
    ExperimentRow.insertAll(dataSource, List.of(rows));
  }

  /**
   * The server, to stop and start it: only a class with its own server ({@link
   * PostgresTest#ownServer()}) may, the JVM's server is shared.
   */
  public EmbeddedPostgres server() {
    if (ownServer == null) {
      throw new IllegalStateException(
          "the JVM's PostgreSQL is shared by every test class: a class that stops it needs"
              + " @PostgresTest(ownServer = true)");
    }
    return server;
  }

  /** Drops the database (and the others made from it); stops the server when it is this one's. */
  @Override
  public synchronized void close() {
    try {
      for (PostgresDatabase other : others) {
        other.close();
      }
      if (ownServer == null && server.isRunning()) {
        drop();
      }
    } finally {
      if (ownServer != null) {
        ownServer.close();
      }
    }
  }

  private void drop() {
    try (Connection c =
            DriverManager.getConnection(server.jdbcUrl("postgres"), user(), password());
        Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)");
    } catch (SQLException e) {
      // The server goes with the JVM anyway; a database left behind costs only disk.
    }
  }

  @Override
  public String toString() {
    return "PostgresDatabase[" + name + " on " + server + "]";
  }
}
