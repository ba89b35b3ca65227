package dev.abtest.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link #startThenKill}, which kills it with SIGKILL once ready. Arguments:
 * directory, user, password, and optionally {@code nobody} to run it as nobody under root (no user
 * namespace).
 */
public final class PostgresInChildJvm {

  static final String READY = "POSTGRES-READY";

  private PostgresInChildJvm() {}

  /**
   * Starts PostgreSQL on {@code dir} in a child JVM, which writes a row into database {@code
   * killed}, then kills that JVM with SIGKILL: no shutdown hook runs, the postmaster stays behind.
   */
  static void startThenKill(Path dir, String user, String password, boolean asNobody)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                PostgresInChildJvm.class.getName(),
                dir.toString(),
                user,
                password));
    if (asNobody) {
      command.add("nobody");
    }
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null && !line.equals(READY)) {
        // skip the child's log lines
      }
      if (line == null) {
        throw new AssertionError("the child JVM exited before PostgreSQL was ready");
      }
      child.destroyForcibly();
      if (!child.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("the child JVM outlived SIGKILL by 10 s");
      }
    } finally {
      child.destroyForcibly();
    }
  }

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
