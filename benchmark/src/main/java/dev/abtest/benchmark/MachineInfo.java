package dev.abtest.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** The machine a run happened on, for the report: CPUs, CPU model, memory, JVM, OS. */
record MachineInfo(int cpus, String cpuModel, String memory, String jvm, String os) {

  static MachineInfo current() {
    return new MachineInfo(
        Runtime.getRuntime().availableProcessors(),
        procLine(Path.of("/proc/cpuinfo"), "model name").orElse("unknown"),
        procLine(Path.of("/proc/meminfo"), "MemTotal").map(MachineInfo::kbToGiB).orElse("unknown"),
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")",
        System.getProperty("os.name")
            + " "
            + System.getProperty("os.version")
            + " "
            + System.getProperty("os.arch"));
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return fields[0] + " / " + fields[1] + " / " + fields[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  /** The value of the first {@code key: value} line of a /proc file. */
  static Optional<String> procLine(Path file, String key) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        if (line.startsWith(key)) {
          int colon = line.indexOf(':');
          return Optional.of(line.substring(colon + 1).strip());
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux, or not readable: the report says unknown
    }
    return Optional.empty();
  }

  /** A {@code kB} figure from /proc (e.g. {@code 24567890 kB}) in MiB, or -1 when absent. */
  static long procKbAsMib(Path file, String key) {
    return procLine(file, key)
        .map(v -> Long.parseLong(v.replace("kB", "").strip()) / 1024)
        .orElse(-1L);
  }

  private static String kbToGiB(String value) {
    long kb = Long.parseLong(value.replace("kB", "").strip());
    return String.format("%.1f GiB", kb / 1024.0 / 1024.0);
  }
}
