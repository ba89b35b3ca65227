package dev.abtest.embedded;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Run in a child JVM by EmbeddedPostgresTest, which kills it with SIGKILL once ready. Arguments:
 * directory, user, password, and optionally {@code nobody} to run it as nobody under root (no user
 * namespace).
 */
public final class PostgresInChildJvm {

  static final String READY = "POSTGRES-READY";

  private PostgresInChildJvm() {}

  public static void main(String[] args) throws Exception {
    EmbeddedPostgres pg =
        EmbeddedPostgres.builder()
            .directory(Path.of(args[0]))
            .user(args[1])
            .password(args[2])
            .fastAndUnsafe(true)
            .userNamespace(!(args.length > 3 && args[3].equals("nobody")))
            .start();
    pg.createDatabase("killed");
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("killed"), args[1], args[2]);
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v text)");
      s.execute("INSERT INTO t VALUES ('written before kill -9')");
    }
    System.out.println(READY);
    System.out.flush();
    Thread.sleep(60_000);
  }
}
