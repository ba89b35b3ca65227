package dev.abtest.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One of the project's processes run by a test or the benchmark: {@code java -jar <jar>} or a main
 * class on this JVM's class path, with the environment the test gives it, its output in a log file
 * (or left on pipes for the caller), stopped with SIGTERM (or SIGKILL) when done.
 *
 * <pre>{@code
 * try (ServiceProcess worker =
 *     ServiceProcess.jar(workerJar).env(env).httpOnFreePort().log(dir.resolve("worker.log")).start()) {
 *   worker.awaitReady(Duration.ofSeconds(90));
 *   ...
 * }
 * }</pre>
 */
public final class ServiceProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final int httpPort;
  private final Path log;
  private final long startedAt;

  private ServiceProcess(String name, Process process, int httpPort, Path log, long startedAt) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
    this.startedAt = startedAt;
  }

  /** {@code java -jar jar}: the jar must have been packaged. */
  public static Launch jar(Path jar) {
    return new Launch(jar.getFileName().toString(), List.of("-jar", jar.toString()), jar);
  }

  /** {@code java -cp <this JVM's class path> mainClass}. */
  public static Launch mainClass(Class<?> mainClass) {
    return new Launch(
        mainClass.getSimpleName(),
        List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()),
        null);
  }

  /** What to start; {@link #start()} starts it. */
  public static final class Launch {
    private String name;
    private final List<String> target;
    private final Path jar;
    private final List<String> jvmArgs = new ArrayList<>();
    private final Map<String, String> env = new HashMap<>();
    private boolean onlyGivenEnv;
    private Predicate<String> dropped = name -> false;
    private int httpPort = -1;
    private Path log;
    private Path stdout;
    private Path stderr;

    private Launch(String name, List<String> target, Path jar) {
      this.name = name;
      this.target = target;
      this.jar = jar;
    }

    /** The name in failure messages (default: the jar's or the class's). */
    public Launch name(String newName) {
      this.name = newName;
      return this;
    }

    public Launch jvmArgs(String... args) {
      jvmArgs.addAll(List.of(args));
      return this;
    }

    /** Variables added to (or, after {@link #onlyGivenEnv()}, making up) the environment. */
    public Launch env(Map<String, String> variables) {
      env.putAll(variables);
      return this;
    }

    public Launch env(String variable, String value) {
      env.put(variable, value);
      return this;
    }

    /**
     * Starts from an empty environment (PATH kept, HOME under target/), so nothing of the
     * developer's shell reaches the process.
     */
    public Launch onlyGivenEnv() {
      this.onlyGivenEnv = true;
      return this;
    }

    /** Leaves out the inherited variables whose names match (before {@link #env} is applied). */
    public Launch withoutEnv(Predicate<String> names) {
      this.dropped = dropped.or(names);
      return this;
    }

    /** Sets {@code HTTP_HOST=127.0.0.1} and {@code HTTP_PORT} to a free port. */
    public Launch httpOnFreePort() {
      this.httpPort = freeLoopbackPort();
      return this;
    }

    /** Standard output and error, together, appended to this file. */
    public Launch log(Path file) {
      this.log = file;
      return this;
    }

    /** Standard output and error, each to its own file. */
    public Launch output(Path stdoutFile, Path stderrFile) {
      this.stdout = stdoutFile;
      this.stderr = stderrFile;
      return this;
    }

    /** Starts the process (without waiting for anything); its stdin is closed. */
    public ServiceProcess start() {
      if (jar != null && !Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            jar + " is missing: package it first (mvn -B verify from the root builds it)");
      }
      List<String> command = new ArrayList<>();
      command.add(javaBinary());
      command.addAll(jvmArgs);
      command.addAll(target);
      ProcessBuilder builder = new ProcessBuilder(command);
      Map<String, String> environment = builder.environment();
      if (onlyGivenEnv) {
        environment.clear();
        environment.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        environment.put("HOME", new File("target").getAbsolutePath());
      }
      environment.keySet().removeIf(dropped);
      environment.putAll(env);
      if (httpPort > 0) {
        environment.put("HTTP_HOST", "127.0.0.1");
        environment.put("HTTP_PORT", Integer.toString(httpPort));
      }
      try {
        if (log != null) {
          Files.createDirectories(log.toAbsolutePath().getParent());
          builder.redirectErrorStream(true).redirectOutput(Redirect.appendTo(log.toFile()));
        } else if (stdout != null) {
          Files.createDirectories(stdout.toAbsolutePath().getParent());
          builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        }
        long t0 = System.nanoTime();
        Process process = builder.start();
        process.getOutputStream().close();
        return new ServiceProcess(name, process, httpPort, log != null ? log : stdout, t0);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start " + name + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Waits until {@code GET /readyz} on its HTTP port answers 200; fails at once when the process
   * exits first, and after {@code timeout} (killing it), each time with the end of its log.
   *
   * @return how long it took from the start of the process
   */
  public Duration awaitReady(Duration timeout) throws InterruptedException {
    if (httpPort <= 0) {
      throw new IllegalStateException(name + " was started without httpOnFreePort()");
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            name + " exited with " + process.exitValue() + " before ready:\n" + tail());
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(uri("/readyz")).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return Duration.ofNanos(System.nanoTime() - startedAt);
        }
      } catch (IOException notListening) {
        // starting
      }
      Thread.sleep(20);
    }
    process.destroyForcibly();
    throw new IllegalStateException(name + " not ready within " + timeout + ":\n" + tail());
  }

  /** Waits for the process to exit; false when it still runs after {@code timeout}. */
  public boolean awaitExit(Duration timeout) throws InterruptedException {
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public int exitValue() {
    return process.exitValue();
  }

  /** The process itself, for its pipes when no log file was given. */
  public Process process() {
    return process;
  }

  /** {@code http://127.0.0.1:<port><path>}. */
  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  public int httpPort() {
    return httpPort;
  }

  public String name() {
    return name;
  }

  /** The log file (or stdout file), null when the output is on pipes. */
  public Path log() {
    return log;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /**
   * SIGTERM through the process handle: the shutdown hooks run (and, unlike {@code
   * Process.destroy()}, our end of its pipes stays open to read what it writes while stopping).
   */
  public void terminate() {
    process.toHandle().destroy();
  }

  /** SIGKILL: no shutdown hook, no drain; in-flight work is lost. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** The last 40 lines of its log, for failure messages. */
  public String tail() {
    if (log == null) {
      return "(output not logged)";
    }
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, then SIGKILL after 15 s. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(15, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** A TCP port free on 127.0.0.1 right now. */
  public static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    return Files.isExecutable(java) ? java.toString() : "java";
  }
}
