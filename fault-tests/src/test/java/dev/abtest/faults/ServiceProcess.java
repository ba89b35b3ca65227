package dev.abtest.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One of the project's processes ({@code java -jar worker.jar} or {@code starter.jar}) run by a
 * test with an environment pointing at the test's embedded services, its output in a log file.
 */
final class ServiceProcess implements AutoCloseable {
  static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  final String name;
  final int httpPort;
  final Path log;
  private final Process process;

  private ServiceProcess(String name, Process process, int httpPort, Path log) {
    this.name = name;
    this.process = process;
    this.httpPort = httpPort;
    this.log = log;
  }

  /** Starts {@code java -jar jar} and waits until GET /readyz answers 200. */
  static ServiceProcess start(String name, Path jar, Map<String, String> env, Path logDir)
      throws Exception {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar + " is missing: package it first (mvn -B verify from the root builds it)");
    }
    Files.createDirectories(logDir);
    int port = freePort();
    Path log = logDir.resolve(name + "-" + port + ".log");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder builder =
        new ProcessBuilder(List.of(java.toString(), "-Xmx256m", "-jar", jar.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> all = new HashMap<>(env);
    all.put("HTTP_HOST", "127.0.0.1");
    all.put("HTTP_PORT", Integer.toString(port));
    builder.environment().putAll(all);
    Process process = builder.start();
    ServiceProcess service = new ServiceProcess(name, process, port, log);
    service.awaitReady();
    return service;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + httpPort + path);
  }

  private void awaitReady() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
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
          return;
        }
      } catch (IOException notListening) {
        // starting
      }
      Thread.sleep(50);
    }
    process.destroyForcibly();
    throw new IllegalStateException(name + " not ready within " + READY_TIMEOUT + ":\n" + tail());
  }

  /** SIGKILL: no shutdown hook, no drain, in-flight tasks are lost. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The last lines of the process's output, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

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
}
