package dev.abtest.benchmark;

import dev.abtest.testing.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The real worker process ({@code java -jar worker.jar}) started beside the benchmark, to measure
 * what an operator sees: time from exec to ready, and its peak resident memory under load.
 */
final class WorkerProcess implements AutoCloseable {
  private final ServiceProcess process;
  final Duration startToReady;

  private WorkerProcess(ServiceProcess process, Duration startToReady) {
    this.process = process;
    this.startToReady = startToReady;
  }

  /** Starts the jar with the given environment and waits (at most 90 s) for GET /readyz = 200. */
  static WorkerProcess start(Path jar, Map<String, String> env, Path log) throws Exception {
    ServiceProcess process =
        ServiceProcess.jar(jar).name("worker").env(env).httpOnFreePort().log(log).start();
    try {
      return new WorkerProcess(process, process.awaitReady(Duration.ofSeconds(90)));
    } catch (Exception | Error e) {
      process.kill();
      throw e;
    }
  }

  long pid() {
    return process.pid();
  }

  /** Peak resident set size (VmHWM) of the process so far, in MiB. */
  long peakRssMib() {
    return MachineInfo.procKbAsMib(Path.of("/proc", Long.toString(pid()), "status"), "VmHWM");
  }

  long rssMib() {
    return MachineInfo.procKbAsMib(Path.of("/proc", Long.toString(pid()), "status"), "VmRSS");
  }

  int httpPort() {
    return process.httpPort();
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
