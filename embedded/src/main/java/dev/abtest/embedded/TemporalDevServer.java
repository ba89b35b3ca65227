package dev.abtest.embedded;

import io.temporal.api.namespace.v1.NamespaceInfo;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Temporal CLI's dev server ({@code temporal server start-dev}): a real Temporal server (SQLite
 * persistence, visibility queries, the Web UI) as a child process bound to 127.0.0.1.
 *
 * <p>Never left running: {@link #close()} stops it, and on Linux it is started under {@code setpriv
 * --pdeathsig TERM}, so the kernel stops it when this JVM dies, even by SIGKILL, where no shutdown
 * hook runs. The parent-death signal follows the thread that forked the child, so each process is
 * forked by a thread of its own that lives exactly as long as the process (it waits for it).
 *
 * <p>With a database file, histories, timers and registered search attributes survive {@link
 * #suspend()}/{@link #resume()} (the process stopped and started again) and restarts of whoever
 * started it.
 */
public final class TemporalDevServer extends SuspendableServer {
  private static final Logger log = LoggerFactory.getLogger(TemporalDevServer.class);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

  private final Options options;
  private final int port;
  private final int uiPort;
  private final String version;
  private Process process;
  private boolean stopping;

  /**
   * What to start.
   *
   * @param cli the {@code temporal} binary ({@link TemporalCli#locate})
   * @param port the gRPC port; 0 picks a free one
   * @param uiPort the Web UI's port; 0 picks a free one, -1 runs headless
   * @param dbFile the SQLite file; empty keeps everything in memory (lost when the process stops)
   * @param searchAttributes name → type ({@code Keyword}, {@code Datetime}, ...) registered at
   *     start
   * @param dynamicConfig extra {@code --dynamic-config-value KEY=JSON} pairs
   * @param logFile where the server's own output goes (appended)
   * @param startTimeout how long start-up may take before it counts as failed
   * @param onUnexpectedExit told, once, in one line, when the process ends without being asked to
   */
  public record Options(
      Path cli,
      int port,
      int uiPort,
      Optional<Path> dbFile,
      Map<String, String> searchAttributes,
      Map<String, String> dynamicConfig,
      Path logFile,
      Duration startTimeout,
      Consumer<String> onUnexpectedExit,
      boolean fastAndUnsafe) {

    public Options {
      searchAttributes = Map.copyOf(searchAttributes);
      dynamicConfig = Map.copyOf(dynamicConfig);
    }

    public static Options of(Path cli, Path logFile) {
      return new Options(
          cli,
          0,
          -1,
          Optional.empty(),
          Map.of(),
          Map.of(),
          logFile,
          Duration.ofSeconds(60),
          line -> log.error("{}", line),
          false);
    }

    public Options withPort(int port) {
      return edit(o -> o.port = port);
    }

    public Options withUiPort(int uiPort) {
      return edit(o -> o.uiPort = uiPort);
    }

    public Options withDbFile(Path dbFile) {
      return edit(o -> o.dbFile = Optional.of(dbFile));
    }

    public Options withSearchAttributes(Map<String, String> searchAttributes) {
      return edit(o -> o.searchAttributes = searchAttributes);
    }

    public Options withDynamicConfig(Map<String, String> dynamicConfig) {
      return edit(o -> o.dynamicConfig = dynamicConfig);
    }

    public Options onUnexpectedExit(Consumer<String> onUnexpectedExit) {
      return edit(o -> o.onUnexpectedExit = onUnexpectedExit);
    }

    /**
     * For tests: SQLite with a write-ahead log and without fsync ({@code journal_mode=WAL}, {@code
     * synchronous=OFF}). The file still survives a stop and start of the process (the point of
     * {@link #suspend()}), not a crash of the machine.
     */
    public Options fastAndUnsafe(boolean fastAndUnsafe) {
      return edit(o -> o.fastAndUnsafe = fastAndUnsafe);
    }

    /** A copy of these options with {@code change} applied: the one place the withers copy. */
    private Options edit(Consumer<Draft> change) {
      Draft draft = new Draft(this);
      change.accept(draft);
      return draft.options();
    }

    /** The fields of {@link Options}, mutable while one wither changes one of them. */
    private static final class Draft {
      Path cli;
      int port;
      int uiPort;
      Optional<Path> dbFile;
      Map<String, String> searchAttributes;
      Map<String, String> dynamicConfig;
      Path logFile;
      Duration startTimeout;
      Consumer<String> onUnexpectedExit;
      boolean fastAndUnsafe;

      Draft(Options from) {
        cli = from.cli;
        port = from.port;
        uiPort = from.uiPort;
        dbFile = from.dbFile;
        searchAttributes = from.searchAttributes;
        dynamicConfig = from.dynamicConfig;
        logFile = from.logFile;
        startTimeout = from.startTimeout;
        onUnexpectedExit = from.onUnexpectedExit;
        fastAndUnsafe = from.fastAndUnsafe;
      }

      Options options() {
        return new Options(
            cli,
            port,
            uiPort,
            dbFile,
            searchAttributes,
            dynamicConfig,
            logFile,
            startTimeout,
            onUnexpectedExit,
            fastAndUnsafe);
      }
    }
  }

  private TemporalDevServer(Options options, int port, int uiPort, String version) {
    this.options = options;
    this.port = port;
    this.uiPort = uiPort;
    this.version = version;
  }

  /**
   * Starts the dev server and returns once it serves the {@code default} namespace.
   *
   * @throws IOException with one line saying why (a port taken, the binary failing, a time-out);
   *     nothing is left running then
   */
  public static TemporalDevServer start(Options options) throws IOException {
    String version = version(options.cli());
    int port = options.port() == 0 ? freeLoopbackPort() : requireFree(options.port(), "gRPC");
    int uiPort =
        options.uiPort() < 0
            ? -1
            : options.uiPort() == 0 ? freeLoopbackPort() : requireFree(options.uiPort(), "Web UI");
    if (options.dbFile().isPresent()) {
      Files.createDirectories(options.dbFile().get().toAbsolutePath().getParent());
    }
    Files.createDirectories(options.logFile().toAbsolutePath().getParent());
    TemporalDevServer server = new TemporalDevServer(options, port, uiPort, version);
    server.launch();
    return server;
  }

  @Override
  public int port() {
    return port;
  }

  /** The Web UI's port, or -1 when headless. */
  public int uiPort() {
    return uiPort;
  }

  /** {@code http://127.0.0.1:<ui port>}, or empty when headless. */
  public Optional<String> uiUrl() {
    return uiPort < 0 ? Optional.empty() : Optional.of("http://" + HOST + ":" + uiPort);
  }

  @Override
  public String engine() {
    return "Temporal CLI dev server (" + version + ")";
  }

  @Override
  public boolean persistent() {
    return options.dbFile().isPresent();
  }

  public Optional<Path> dbFile() {
    return options.dbFile();
  }

  /** The process id of the running server, for tests that kill it. */
  public synchronized long pid() {
    if (process == null) {
      throw new IllegalStateException("the dev server is not running");
    }
    return process.pid();
  }

  /** Stops the process (SIGTERM, then SIGKILL after 10 s); the database file keeps the state. */
  @Override
  public synchronized void suspend() {
    if (!persistent()) {
      throw new IllegalStateException(
          "an in-memory dev server loses its state when stopped: give it a database file");
    }
    stopProcess();
  }

  /** Starts the process again on the same ports with the same database file. */
  @Override
  void startServing() throws IOException {
    launch();
  }

  @Override
  synchronized boolean serving() {
    return process != null;
  }

  @Override
  void stopServing() {
    stopProcess();
  }

  private synchronized void stopProcess() {
    Process p = process;
    if (p == null) {
      return;
    }
    stopping = true;
    p.destroy();
    try {
      if (!p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("The Temporal dev server did not stop in {} s: killing it", STOP_TIMEOUT);
        p.destroyForcibly();
        p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
    }
    process = null;
    stopping = false;
  }

  private synchronized void launch() throws IOException {
    List<String> command = command();
    CompletableFuture<Process> started = new CompletableFuture<>();
    Thread keeper = new Thread(() -> keep(command, started), "temporal-dev-server-" + port);
    keeper.setDaemon(true);
    keeper.start();
    Process p;
    try {
      p = started.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting the Temporal dev server", e);
    } catch (ExecutionException e) {
      throw new IOException(
          "cannot run " + options.cli() + ": " + e.getCause().getMessage(), e.getCause());
    }
    process = p;
    try {
      awaitServing(p);
    } catch (IOException | RuntimeException e) {
      stopProcess();
      throw e;
    }
    log.info(
        "Temporal dev server ({}) listening on {}{}{}",
        version,
        target(),
        uiUrl().map(url -> ", Web UI " + url).orElse(""),
        options.dbFile().map(f -> ", database " + f).orElse(", in memory"));
  }

  /** Runs on the keeper thread: forks the server, then waits for it for as long as it runs. */
  private void keep(List<String> command, CompletableFuture<Process> started) {
    Process p;
    try {
      p =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(options.logFile().toFile()))
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
    } catch (IOException | RuntimeException e) {
      started.completeExceptionally(e);
      return;
    }
    started.complete(p);
    int code;
    try {
      code = p.waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      return;
    }
    boolean expected;
    synchronized (this) {
      expected = stopping || closed() || process != p;
      if (!expected) {
        process = null;
      }
    }
    if (!expected) {
      options
          .onUnexpectedExit()
          .accept(
              "The Temporal dev server on "
                  + target()
                  + " exited with code "
                  + code
                  + lastLogLine().map(line -> ": " + line).orElse("")
                  + " (its log: "
                  + options.logFile()
                  + ")");
    }
  }

  private List<String> command() {
    List<String> command = new ArrayList<>();
    if (isLinux() && Files.isExecutable(Path.of("/usr/bin/setpriv"))) {
      command.addAll(List.of("/usr/bin/setpriv", "--pdeathsig", "TERM", "--"));
    }
    command.add(options.cli().toString());
    command.addAll(List.of("server", "start-dev", "--ip", HOST, "--port", Integer.toString(port)));
    if (uiPort < 0) {
      command.add("--headless");
    } else {
      command.addAll(
          List.of(
              "--ui-port", Integer.toString(uiPort), "--ui-ip", HOST, "--ui-disable-news-fetch"));
    }
    options.dbFile().ifPresent(file -> command.addAll(List.of("--db-filename", file.toString())));
    if (options.fastAndUnsafe() && options.dbFile().isPresent()) {
      // A write-ahead log and no fsync per commit: several times faster on a shared disk.
      command.addAll(
          List.of("--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=off"));
    }
    new LinkedHashMap<>(options.searchAttributes())
        .forEach((name, type) -> command.addAll(List.of("--search-attribute", name + "=" + type)));
    options
        .dynamicConfig()
        .forEach(
            (key, value) -> command.addAll(List.of("--dynamic-config-value", key + "=" + value)));
    command.addAll(List.of("--log-level", "warn", "--log-format", "json"));
    return command;
  }

  /** Waits until the frontend answers and the {@code default} namespace is registered. */
  private void awaitServing(Process p) throws IOException {
    long deadline = System.nanoTime() + options.startTimeout().toNanos();
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(target())
                .setRpcTimeout(Duration.ofSeconds(1))
                .build());
    try {
      while (true) {
        if (!p.isAlive()) {
          throw new IOException(
              "the Temporal dev server exited with code "
                  + p.exitValue()
                  + " while starting"
                  + lastLogLine().map(line -> ": " + line).orElse("")
                  + " (its log: "
                  + options.logFile()
                  + ")");
        }
        try {
          stubs
              .blockingStub()
              .withDeadlineAfter(1, TimeUnit.SECONDS)
              .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
          NamespaceInfo ns =
              stubs
                  .blockingStub()
                  .withDeadlineAfter(1, TimeUnit.SECONDS)
                  .describeNamespace(
                      DescribeNamespaceRequest.newBuilder().setNamespace("default").build())
                  .getNamespaceInfo();
          if (!ns.getName().isEmpty()) {
            return;
          }
        } catch (RuntimeException notYet) {
          // not serving yet
        }
        if (System.nanoTime() > deadline) {
          throw new IOException(
              "the Temporal dev server did not serve on "
                  + target()
                  + " within "
                  + options.startTimeout().toSeconds()
                  + " s (its log: "
                  + options.logFile()
                  + ")");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while starting the Temporal dev server", e);
        }
      }
    } finally {
      stubs.shutdownNow();
    }
  }

  /** The server's last log message, shortened, for a one-line error. */
  private Optional<String> lastLogLine() {
    try {
      List<String> lines = Files.readAllLines(options.logFile(), StandardCharsets.UTF_8);
      for (int i = lines.size() - 1; i >= 0; i--) {
        String line = lines.get(i).strip();
        if (!line.isEmpty()) {
          String msg = jsonField(line, "msg").orElse(line);
          String error = jsonField(line, "error").map(e -> " (" + e + ")").orElse("");
          String text = msg + error;
          return Optional.of(text.length() > 300 ? text.substring(0, 300) + "…" : text);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // no log to quote
    }
    return Optional.empty();
  }

  private static Optional<String> jsonField(String line, String field) {
    String key = "\"" + field + "\":\"";
    int start = line.indexOf(key);
    if (start < 0) {
      return Optional.empty();
    }
    int from = start + key.length();
    int end = from;
    while (end < line.length() && !(line.charAt(end) == '"' && line.charAt(end - 1) != '\\')) {
      end++;
    }
    return Optional.of(line.substring(from, end).replace("\\\"", "\""));
  }

  /** {@code temporal --version}, e.g. "temporal 1.9.1, Server 1.32.0". */
  private static String version(Path cli) throws IOException {
    Process p;
    try {
      p = new ProcessBuilder(cli.toString(), "--version").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("cannot run " + cli + ": " + e.getMessage(), e);
    }
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(cli + " --version failed: " + out);
      }
      // "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)"
      return out.replace("temporal version ", "temporal ").replace(" (", ", ").replace(")", "");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }

  private static int requireFree(int port, String what) throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), port));
      return port;
    } catch (IOException e) {
      throw new IOException(
          "port "
              + port
              + " on "
              + HOST
              + " (the Temporal dev server's "
              + what
              + " port) is already in use",
          e);
    }
  }

  private static boolean isLinux() {
    return System.getProperty("os.name", "").toLowerCase().contains("linux");
  }
}
