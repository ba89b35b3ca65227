package dev.abtest.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run from zonky's Maven-delivered binaries, with every file under one
 * directory: {@code bin-<version>} (extracted binaries), {@code data} (the cluster, kept across
 * restarts), {@code run} (unix socket), {@code postgres.log}.
 *
 * <p>Listens on 127.0.0.1 only. PostgreSQL refuses root: under root, initdb/pg_ctl/postgres run in
 * a user namespace that maps root to {@code nobody} (util-linux {@code unshare}), so any directory
 * root owns works, a mode-700 parent included; where user namespaces are unavailable they run as
 * {@code nobody} through {@code setpriv}, and every ancestor of the directory must then be
 * traversable by others (see {@link RunAs}). A JVM shutdown hook stops the server; a server
 * orphaned by a killed JVM is stopped by the next {@link Builder#start()} on the same directory.
 */
public final class EmbeddedPostgres implements AutoCloseable {
  /**
   * The superuser's password unless one is set: distinctive on purpose, so that the test command's
   * log scan ({@code scripts/scan-test-logs}) can prove no log line of a test run carries it.
   */
  public static final String DEFAULT_PASSWORD = "embedded-pg-secret-4f1c";

  private static final Logger log = LoggerFactory.getLogger(EmbeddedPostgres.class);
  private static final String HOST = "127.0.0.1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
  // sun_path holds 108 bytes including the NUL terminator.
  private static final int MAX_SOCKET_PATH = 107;

  private final Path directory;
  private final Path install;
  private final Path data;
  private final Path runDir;
  private final Path logFile;
  private final int port;
  private final String user;
  private final String password;
  private final boolean fastAndUnsafe;
  private final RunAs runAs;
  private final Thread shutdownHook;
  private boolean running;

  private EmbeddedPostgres(Builder b, Path directory, Path install, RunAs runAs, int port) {
    this.directory = directory;
    this.install = install;
    this.data = directory.resolve("data");
    this.runDir = directory.resolve("run");
    this.logFile = directory.resolve("postgres.log");
    this.port = port;
    this.user = b.user;
    this.password = b.password;
    this.fastAndUnsafe = b.fastAndUnsafe;
    this.runAs = runAs;
    this.shutdownHook = new Thread(this::stopQuietly, "embedded-postgres-shutdown");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Configures and starts an {@link EmbeddedPostgres}. */
  public static final class Builder {
    private Path directory;
    private int port;
    private String user = "postgres";
    private String password = DEFAULT_PASSWORD;
    private boolean fastAndUnsafe;
    private boolean stopOnJvmExit = true;
    private boolean userNamespace = true;

    private Builder() {}

    /** Where every file lives: binaries, data, logs, socket. Required. */
    public Builder directory(Path dir) {
      this.directory = Objects.requireNonNull(dir, "directory");
      return this;
    }

    /** 0 (default) picks a free loopback port once; the port is kept across stop()/start(). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** The superuser, created by initdb. Default "postgres". */
    public Builder user(String user) {
      this.user = requireText(user, "user");
      return this;
    }

    /** The superuser's password. Default {@link #DEFAULT_PASSWORD}. */
    public Builder password(String password) {
      this.password = requireText(password, "password");
      return this;
    }

    /**
     * For tests only: fsync, synchronous_commit and full_page_writes off. Fast, but a crash of the
     * machine may corrupt the data. Default false.
     */
    public Builder fastAndUnsafe(boolean fastAndUnsafe) {
      this.fastAndUnsafe = fastAndUnsafe;
      return this;
    }

    /**
     * Whether a JVM shutdown hook stops the server (default true, so that no postgres outlives the
     * JVM). An owner that stops its pieces in order on shutdown (the dev stack drains the worker
     * before the database goes) turns it off and calls {@link #close()} itself.
     */
    public Builder stopOnJvmExit(boolean stopOnJvmExit) {
      this.stopOnJvmExit = stopOnJvmExit;
      return this;
    }

    /**
     * Under root, whether PostgreSQL may run in a user namespace (default true); false runs it as
     * {@code nobody}, as where namespaces are unavailable (the tests of that path use it).
     */
    Builder userNamespace(boolean userNamespace) {
      this.userNamespace = userNamespace;
      return this;
    }

    /** Extracts the binaries if needed, runs initdb if dir/data holds no cluster yet, starts. */
    public EmbeddedPostgres start() throws IOException {
      if (directory == null) {
        throw new IllegalStateException("EmbeddedPostgres.Builder: directory(...) is required");
      }
      Path dir = directory.toAbsolutePath().normalize();
      RunAs runAs = RunAs.detect(userNamespace);
      Files.createDirectories(dir);
      runAs.checkTraversable(dir);
      if (runAs.mode() == RunAs.Mode.NOBODY) {
        int mode = (Integer) Files.getAttribute(dir, "unix:mode");
        Files.setAttribute(dir, "unix:mode", mode | 0001); // nobody must reach data/ and run/
      }
      long t0 = System.nanoTime();
      Path install = PostgresBinaries.extract(dir);
      log.debug("PostgreSQL binaries ready in {} ms", (System.nanoTime() - t0) / 1_000_000);
      // A free port picked here can be taken by another process before postgres binds it:
      // then try another one.
      for (int attempt = 1; ; attempt++) {
        int chosen = port != 0 ? port : freeLoopbackPort();
        EmbeddedPostgres pg = new EmbeddedPostgres(this, dir, install, runAs, chosen);
        pg.prepare();
        if (stopOnJvmExit) {
          Runtime.getRuntime().addShutdownHook(pg.shutdownHook);
        }
        try {
          pg.startServer();
          return pg;
        } catch (IOException | RuntimeException e) {
          pg.close();
          boolean portTaken = String.valueOf(e.getMessage()).contains("could not bind");
          if (port != 0 || !portTaken || attempt == 3) {
            throw e;
          }
          log.debug("Port {} was taken before PostgreSQL could bind it; picking another", chosen);
        }
      }
    }

    private static String requireText(String s, String what) {
      if (s == null || s.isEmpty()) {
        throw new IllegalArgumentException(what + " must not be empty");
      }
      return s;
    }
  }

  public String host() {
    return HOST;
  }

  public int port() {
    return port;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + HOST + ":" + port + "/" + encode(database);
  }

  /** {@code postgresql://<user>:<password>@127.0.0.1:<port>/<database>}, percent-encoded. */
  public String postgresqlUrl(String database) {
    return "postgresql://"
        + encode(user)
        + ":"
        + encode(password)
        + "@"
        + HOST
        + ":"
        + port
        + "/"
        + encode(database);
  }

  /** Creates the database unless it exists. */
  public void createDatabase(String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException("database name must not be empty");
    }
    Properties props = new Properties();
    props.setProperty("user", user);
    props.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(jdbcUrl("postgres"), props)) {
      try (PreparedStatement exists =
          c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
        exists.setString(1, name);
        try (ResultSet rs = exists.executeQuery()) {
          if (rs.next()) {
            return;
          }
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + quoteIdentifier(name));
      } catch (SQLException e) {
        if (!"42P04".equals(e.getSQLState())) { // duplicate_database: created concurrently
          throw e;
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not create database " + name + ": " + e.getMessage(), e);
    }
  }

  /** Fast shutdown (pg_ctl stop -m fast); the data is kept. Does nothing when stopped. */
  public synchronized void stop() {
    if (!running) {
      return;
    }
    if (livePostmaster().isEmpty()) { // died on its own: nothing to stop
      running = false;
      return;
    }
    try {
      pgCtl(List.of("stop", "-m", "fast", "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds())));
      running = false;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Starts again on the same port with the same data. Does nothing when running. */
  public synchronized void start() {
    if (running) {
      return;
    }
    try {
      startServer();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether this instance started the server and its postmaster process is alive. */
  public synchronized boolean isRunning() {
    return running && livePostmaster().isPresent();
  }

  /** Stops the server and drops the shutdown hook. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running or about to: it stops the server
    }
    stop();
  }

  @Override
  public String toString() {
    return "EmbeddedPostgres[" + HOST + ":" + port + ", " + directory + "]";
  }

  private void stopQuietly() {
    try {
      stop();
    } catch (RuntimeException e) {
      log.warn("Stopping PostgreSQL in {} failed: {}", directory, e.getMessage());
    }
  }

  /**
   * Stops a server orphaned on this directory, creates run dir and log, runs initdb when there is
   * no cluster (else hands it to the server's owner, in case another root mode created it), writes
   * our settings.
   */
  private void prepare() throws IOException {
    stopOrphan(); // before the files change owner under a running server
    Files.createDirectories(runDir);
    Files.setAttribute(runDir, "unix:mode", 0700);
    runAs.own(runDir);
    if (!Files.exists(logFile)) {
      Files.createFile(logFile);
    }
    runAs.own(logFile);
    if (!Files.exists(data.resolve("PG_VERSION"))) {
      initdb();
    } else if (runAs.isRoot()
        && (Integer) Files.getAttribute(data, "unix:uid") != runAs.ownerUid()) {
      runAs.own(data); // created by a non-root run, or as nobody before namespaces, or back
    }
    writeSettings();
  }

  private void initdb() throws IOException {
    // A data dir without PG_VERSION is an interrupted initdb: start over.
    FileTrees.deleteRecursively(data);
    Files.createDirectories(data);
    Files.setAttribute(data, "unix:mode", 0700);
    runAs.own(data);
    Path pwFile = runDir.resolve("initdb-pw");
    Files.writeString(pwFile, password + "\n", StandardCharsets.UTF_8);
    Files.setAttribute(pwFile, "unix:mode", 0600);
    runAs.own(pwFile);
    long t0 = System.nanoTime();
    try {
      exec(
          runAs.command(
              List.of(
                  bin("initdb"),
                  "-D",
                  data.toString(),
                  "-U",
                  user,
                  "--pwfile=" + pwFile,
                  "-A",
                  "scram-sha-256",
                  "-E",
                  "UTF8",
                  "--no-locale",
                  "--no-instructions")),
          Duration.ofMinutes(2),
          "initdb");
    } finally {
      Files.deleteIfExists(pwFile);
    }
    // Our settings live in their own file, rewritten before every start.
    Files.writeString(
        data.resolve("postgresql.conf"),
        "\ninclude_if_exists = 'embedded.conf'\n",
        StandardOpenOption.APPEND);
    log.info("initdb of {} took {} ms", data, (System.nanoTime() - t0) / 1_000_000);
  }

  private void writeSettings() throws IOException {
    String socketDir = runDir.toString();
    if ((socketDir + "/.s.PGSQL." + port).getBytes(StandardCharsets.UTF_8).length
        > MAX_SOCKET_PATH) {
      socketDir = ""; // too long for a unix socket: TCP only
    }
    StringBuilder conf = new StringBuilder("# written by EmbeddedPostgres before each start\n");
    setting(conf, "listen_addresses", HOST);
    conf.append("port = ").append(port).append('\n');
    setting(conf, "unix_socket_directories", socketDir);
    conf.append("max_connections = 200\n");
    if (fastAndUnsafe) {
      conf.append("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n");
    }
    Path file = data.resolve("embedded.conf");
    Files.writeString(file, conf.toString(), StandardCharsets.UTF_8);
    runAs.own(file);
  }

  private static void setting(StringBuilder conf, String name, String value) {
    conf.append(name).append(" = '").append(value.replace("'", "''")).append("'\n");
  }

  private void startServer() throws IOException {
    writeSettings();
    stopOrphan();
    long t0 = System.nanoTime();
    try {
      pgCtl(
          List.of(
              "start",
              "-w",
              "-t",
              Long.toString(START_TIMEOUT.toSeconds()),
              "-l",
              logFile.toString()));
      awaitTcp();
    } catch (IOException e) {
      stopAfterFailedStart();
      throw new IOException(e.getMessage() + "\n--- tail of " + logFile + " ---\n" + logTail(), e);
    }
    running = true;
    log.info(
        "PostgreSQL listening on {}:{} (started in {} ms)",
        HOST,
        port,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** pg_ctl may give up waiting while postgres still comes up: do not leave it behind. */
  private void stopAfterFailedStart() {
    if (livePostmaster().isPresent()) {
      try {
        pgCtl(List.of("stop", "-m", "immediate", "-w", "-t", "10"));
      } catch (IOException e) {
        log.warn("Could not stop PostgreSQL after a failed start: {}", e.getMessage());
      }
    }
  }

  /** The process named by data/postmaster.pid, if alive. */
  private Optional<ProcessHandle> livePostmaster() {
    try {
      long pid = Long.parseLong(Files.readAllLines(data.resolve("postmaster.pid")).get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no pid file, or a partly written one
    }
  }

  /**
   * A JVM killed with SIGKILL leaves its postmaster running: stop it so this start can take over
   * the data. A postmaster.pid whose process is gone (or is no postgres) is stale and removed.
   */
  private void stopOrphan() throws IOException {
    Path pidFile = data.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> process = livePostmaster();
    boolean isPostgres =
        process
            .map(p -> p.info().command().or(() -> p.info().commandLine()).orElse("postgres"))
            .map(cmd -> cmd.contains("postgres"))
            .orElse(false);
    if (isPostgres) {
      log.warn(
          "Stopping a PostgreSQL (pid {}) left running on {} by an earlier run",
          process.get().pid(),
          data);
      if (runAs.isRoot()) {
        fastShutdown(process.get());
      } else {
        pgCtl(List.of("stop", "-m", "fast", "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds())));
      }
    } else {
      Files.deleteIfExists(pidFile);
    }
  }

  /**
   * What {@code pg_ctl stop -m fast} does, sent by root itself: the orphan may have been started in
   * the other root mode (as nobody, or in a namespace), which a pg_ctl of this mode cannot signal.
   */
  private void fastShutdown(ProcessHandle postmaster) throws IOException {
    exec(
        List.of("kill", "-INT", Long.toString(postmaster.pid())),
        Duration.ofSeconds(10),
        "kill -INT");
    try {
      postmaster.onExit().get(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IOException(
          "PostgreSQL (pid "
              + postmaster.pid()
              + ") left running on "
              + data
              + " did not stop within "
              + STOP_TIMEOUT.toSeconds()
              + " s",
          e);
    } catch (ExecutionException e) {
      throw new IOException("Waiting for PostgreSQL to stop failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while stopping PostgreSQL", e);
    }
  }

  private void awaitTcp() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(HOST, port), 1000);
        return;
      } catch (IOException e) {
        if (System.nanoTime() > deadline) {
          throw new IOException("PostgreSQL does not accept connections on " + HOST + ":" + port);
        }
        sleep(50);
      }
    }
  }

  private void pgCtl(List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(bin("pg_ctl"));
    command.add("-D");
    command.add(data.toString());
    command.addAll(args);
    exec(runAs.command(command), START_TIMEOUT.plusSeconds(10), "pg_ctl " + args.get(0));
  }

  /** Runs {@code command} as given (wrapped by {@link RunAs#command} where it must not be root). */
  private void exec(List<String> command, Duration timeout, String what) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("PG") || k.startsWith("LC_"));
    env.put("LC_ALL", "C");
    pb.directory(directory.toFile());
    Path out = Files.createTempFile("embedded-postgres-", ".out");
    pb.redirectOutput(out.toFile());
    try {
      Process p = pb.start();
      boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!done) {
        p.destroyForcibly();
        throw new IOException(what + " did not finish within " + timeout.toSeconds() + " s");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            what + " failed (exit " + p.exitValue() + "): " + Files.readString(out).trim());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while running " + what, e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private String bin(String name) {
    return install.resolve("bin").resolve(name).toString();
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String quoteIdentifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted", e);
    }
  }
}
