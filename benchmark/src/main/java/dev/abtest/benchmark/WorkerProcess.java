package dev.abtest.benchmark;

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
import java.util.List;
import java.util.Map;

/**
 * The real worker process ({@code java -jar worker.jar}) started beside the benchmark, to measure
 * what an operator sees: time from exec to ready, and its peak resident memory under load.
 */
final class WorkerProcess implements AutoCloseable {
  private final Process process;
  private final int httpPort;
  final Duration startToReady;

  private WorkerProcess(Process process, int httpPort, Duration startToReady) {
    this.process = process;
    this.httpPort = httpPort;
    this.startToReady = startToReady;
  }

  /** Starts the jar with the given environment and waits (at most 90 s) for GET /readyz = 200. */
  static WorkerProcess start(Path jar, Map<String, String> env, Path log) throws Exception {
    int port = freePort();
    ProcessBuilder builder =
        new ProcessBuilder(List.of(javaBin(), "-jar", jar.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(env);
    builder.environment().put("HTTP_PORT", Integer.toString(port));
    builder.environment().put("HTTP_HOST", "127.0.0.1");
    long t0 = System.nanoTime();
    Process process = builder.start();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    URI ready = URI.create("http://127.0.0.1:" + port + "/readyz");
    long deadline = t0 + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "worker exited with " + process.exitValue() + " before ready; see " + log);
      }
      try {
        HttpResponse<Void> response =
            http.send(
                HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(1)).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() == 200) {
          return new WorkerProcess(process, port, Duration.ofNanos(System.nanoTime() - t0));
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(20);
    }
    process.destroyForcibly();
    throw new IllegalStateException("worker not ready within 90 s; see " + log);
  }

  long pid() {
    return process.pid();
  }

  /** Peak resident set size (VmHWM) of the process so far, in MiB. */
  long peakRssMib() {
    return MachineInfo.procKbAsMib(
        Path.of("/proc", Long.toString(process.pid()), "status"), "VmHWM");
  }

  long rssMib() {
    return MachineInfo.procKbAsMib(
        Path.of("/proc", Long.toString(process.pid()), "status"), "VmRSS");
  }

  int httpPort() {
    return httpPort;
  }

  static Path javaBin(Path javaHome) {
    return javaHome.resolve("bin").resolve("java");
  }

  private static String javaBin() {
    Path java = javaBin(Path.of(System.getProperty("java.home")));
    return Files.isExecutable(java) ? java.toString() : "java";
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
