package dev.abtest.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresTest {

  private static final String USER = "owner";
  private static final String PASSWORD = "s3cr:t @pw";

  private static Path dir;
  private static EmbeddedPostgres pg;

  @BeforeAll
  static void startPostgres() throws IOException {
    dir = Path.of("target", "pg-test-" + UUID.randomUUID()).toAbsolutePath();
    pg = startOn(dir);
  }

  @AfterAll
  static void stopPostgres() {
    if (pg != null) {
      pg.close();
    }
  }

  @Test
  void rowSurvivesStopAndStartAndConnectionsAreRefusedWhileStopped() throws Exception {
    pg.createDatabase("survives");
    try (Connection c = connect("survives");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v text)");
      s.execute("INSERT INTO t VALUES ('kept')");
    }
    int port = pg.port();

    pg.stop();
    assertThat(pg.isRunning()).isFalse();
    assertThatThrownBy(() -> connect("survives")).isInstanceOf(SQLException.class);
    pg.stop(); // idempotent

    pg.start();
    assertThat(pg.isRunning()).isTrue();
    assertThat(pg.port()).isEqualTo(port);
    assertThat(readValue("survives")).isEqualTo("kept");
  }

  @Test
  void createDatabaseIsIdempotentAndQuotesTheName() throws Exception {
    String odd = "odd \"name\"; drop";
    pg.createDatabase(odd);
    pg.createDatabase(odd);
    try (Connection c = connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_database WHERE datname = 'odd \"name\"; drop'")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
    try (Connection c = connect(odd);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_database()")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(odd);
    }
  }

  @Test
  void listensOnLoopbackOnly() throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", pg.port()), 1000);
    }
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address.isLoopbackAddress() || address.isLinkLocalAddress()) {
          continue;
        }
        try (Socket s = new Socket()) {
          assertThatThrownBy(() -> s.connect(new InetSocketAddress(address, pg.port()), 500))
              .as("port %d must not be reachable on %s", pg.port(), address)
              .isInstanceOf(IOException.class);
        }
      }
    }
    assertThat(pg.jdbcUrl("db")).isEqualTo("jdbc:postgresql://127.0.0.1:" + pg.port() + "/db");
    assertThat(pg.postgresqlUrl("db"))
        .isEqualTo("postgresql://owner:s3cr%3At%20%40pw@127.0.0.1:" + pg.port() + "/db");
  }

  @Test
  void aNewInstanceOnTheSameDirectoryKeepsTheData() throws Exception {
    pg.createDatabase("reopen");
    try (Connection c = connect("reopen");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t (v text)");
      s.execute("INSERT INTO t VALUES ('reopened')");
    }
    pg.close();

    pg = startOn(dir);
    assertThat(readValue("reopen")).isEqualTo("reopened");
  }

  @Test
  void aPostgresLeftRunningByAKilledJvmDoesNotBlockTheNextStart() throws Exception {
    pg.close();
    PostgresInChildJvm.startThenKill(dir, USER, PASSWORD, false);
    assertThat(Files.exists(dir.resolve("data/postmaster.pid"))).isTrue();

    pg = startOn(dir);
    assertThat(readValue("killed")).isEqualTo("written before kill -9");
  }

  @Test
  void underRootWithoutUserNamespacesAnAncestorNobodyCannotTraverseIsReportedWithTheFix()
      throws Exception {
    Process id = new ProcessBuilder("id", "-u").start();
    assumeTrue(new String(id.getInputStream().readAllBytes()).trim().equals("0"), "needs root");
    Path locked = dir.resolveSibling(dir.getFileName() + "-locked");
    Files.createDirectories(locked);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));

    assertThatThrownBy(
            () ->
                EmbeddedPostgres.builder()
                    .directory(locked.resolve("pg"))
                    .userNamespace(false) // as where namespaces are unavailable
                    .start())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot traverse " + locked)
        .hasMessageContaining("chmod o+x " + locked)
        .hasMessageContaining("user namespaces are unavailable");
  }

  private static EmbeddedPostgres startOn(Path directory) throws IOException {
    return EmbeddedPostgres.builder()
        .directory(directory)
        .user(USER)
        .password(PASSWORD)
        .fastAndUnsafe(true)
        .start();
  }

  private static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password());
  }

  private static String readValue(String database) throws SQLException {
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM t")) {
      rs.next();
      return rs.getString(1);
    }
  }
}
