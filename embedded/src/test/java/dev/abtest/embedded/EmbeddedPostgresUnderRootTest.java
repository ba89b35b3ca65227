package dev.abtest.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Under root PostgreSQL runs in a user namespace that maps root to nobody: any directory root owns
 * works, a private {@code mktemp -d} parent included. Whether this machine has user namespaces is
 * probed here on its own (not through {@link RunAs}), so that a broken probe in the code under test
 * cannot turn these tests into skips.
 */
class EmbeddedPostgresUnderRootTest {
  private static final String USER = "postgres";
  private static final String PASSWORD = "under-root-pw";

  private static boolean userNamespaces;
  private final List<Path> cleanup = new ArrayList<>();

  @BeforeAll
  static void onlyAsRoot() throws Exception {
    assumeTrue(output("id", "-u").equals("0"), "needs root");
    Process probe =
        new ProcessBuilder("unshare", "--user", "--map-user=65534", "--map-group=65534", "true")
            .redirectErrorStream(true)
            .start();
    userNamespaces = probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0;
  }

  @AfterEach
  void deleteDirectories() throws IOException {
    for (Path p : cleanup) {
      FileTrees.deleteRecursively(p);
    }
  }

  @Test
  void startsUnderAModeSevenHundredParentAnswersAndStopsLeavingNoProcess() throws Exception {
    Path parent = Files.createTempDirectory("pg-private-"); // what `mktemp -d` makes
    cleanup.add(parent);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(parent)))
        .isEqualTo("rwx------");
    Path dir = parent.resolve("pg");
    if (!userNamespaces) { // the fallback runs as nobody: the line that says what to do
      assertThatThrownBy(() -> start(dir, true))
          .hasMessageContaining("cannot traverse " + parent)
          .hasMessageContaining("user namespaces are unavailable");
      return;
    }

    List<ProcessHandle> processes;
    try (EmbeddedPostgres pg = start(dir, true)) {
      try (Connection c = connect(pg, "postgres");
          Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (v text)");
        s.execute("INSERT INTO t VALUES ('private parent')");
        try (ResultSet rs = s.executeQuery("SELECT v, current_user FROM t")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("private parent");
          assertThat(rs.getString(2)).isEqualTo(USER);
        }
      }
      ProcessHandle postmaster = postmaster(dir);
      assertThat(Files.readSymbolicLink(proc(postmaster, "ns/user")))
          .as("the postmaster runs in a user namespace of its own")
          .isNotEqualTo(Files.readSymbolicLink(Path.of("/proc/self/ns/user")));
      assertThat(Files.readString(proc(postmaster, "uid_map")).trim().split("\\s+"))
          .as("root outside is nobody inside, and nothing else is mapped")
          .containsExactly(output("id", "-u", "nobody"), "0", "1");
      assertThat(postmaster.info().user()).contains("root"); // as the kernel sees it
      assertThat(Files.getAttribute(dir.resolve("data/base"), "unix:uid")).isEqualTo(0);
      processes = new ArrayList<>(postmaster.descendants().toList());
      processes.add(postmaster);
      assertThat(processes).hasSizeGreaterThan(1); // checkpointer, walwriter, ...
    }

    for (ProcessHandle p : processes) {
      p.onExit().get(10, TimeUnit.SECONDS);
    }
    assertThat(processes).noneMatch(ProcessHandle::isAlive);
    assertThat(processesNaming(dir)).as("processes naming %s", dir).isEmpty();
    assertThat(dir.resolve("data/postmaster.pid")).doesNotExist();
  }

  @Test
  void aClusterCreatedAsNobodyIsTakenOverWithItsOrphanedServerAndHandedBack() throws Exception {
    assumeTrue(userNamespaces, "needs user namespaces");
    // nobody must traverse it, wherever the checkout is: a folder of /tmp open to others
    Path parent = Files.createTempDirectory("pg-root-");
    cleanup.add(parent);
    Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dir = parent.resolve("pg");
    PostgresInChildJvm.startThenKill(dir, USER, PASSWORD, true);
    ProcessHandle orphan = postmaster(dir); // running as nobody, left behind
    assertThat(orphan.info().user()).contains("nobody");
    assertThat(Files.getAttribute(dir.resolve("data"), "unix:uid")).isNotEqualTo(0);

    try (EmbeddedPostgres pg = start(dir, true)) {
      assertThat(orphan.isAlive()).as("the orphan was stopped").isFalse();
      assertThat(readValue(pg)).isEqualTo("written before kill -9");
      assertThat(postmaster(dir).info().user()).contains("root");
      assertThat(Files.getAttribute(dir.resolve("data/base"), "unix:uid")).isEqualTo(0);
    }
    try (EmbeddedPostgres pg = start(dir, false)) { // namespaces gone: back to nobody
      assertThat(readValue(pg)).isEqualTo("written before kill -9");
      assertThat(postmaster(dir).info().user()).contains("nobody");
    }
  }

  private static EmbeddedPostgres start(Path dir, boolean userNamespace) throws IOException {
    return EmbeddedPostgres.builder()
        .directory(dir)
        .user(USER)
        .password(PASSWORD)
        .fastAndUnsafe(true)
        .userNamespace(userNamespace)
        .start();
  }

  private static Connection connect(EmbeddedPostgres pg, String database) throws SQLException {
    return DriverManager.getConnection(pg.jdbcUrl(database), pg.user(), pg.password());
  }

  private static String readValue(EmbeddedPostgres pg) throws SQLException {
    try (Connection c = connect(pg, "killed");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT v FROM t")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static ProcessHandle postmaster(Path dir) throws IOException {
    long pid = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).trim());
    return ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no process " + pid));
  }

  private static Path proc(ProcessHandle p, String entry) {
    return Path.of("/proc", Long.toString(p.pid()), entry);
  }

  /** Every live process whose command line names {@code dir} (the postmaster's carries -D). */
  private static List<ProcessHandle> processesNaming(Path dir) {
    try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
      return all.filter(p -> cmdline(p).contains(dir.toString())).toList();
    }
  }

  private static String cmdline(ProcessHandle p) {
    try {
      return Files.readString(proc(p, "cmdline")).replace('\0', ' ');
    } catch (IOException | RuntimeException e) {
      return ""; // gone meanwhile
    }
  }

  private static String output(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }
}
