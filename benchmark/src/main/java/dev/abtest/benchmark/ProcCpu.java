package dev.abtest.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * CPU time of other processes from {@code /proc/<pid>/stat} (utime + stime, in clock ticks of 10
 * ms: Linux's USER_HZ is 100). Used for the Temporal dev server and PostgreSQL, which run outside
 * this JVM.
 */
final class ProcCpu {
  static final long NANOS_PER_TICK = 10_000_000L;

  private ProcCpu() {}

  /**
   * utime + stime of {@code pid}, plus cutime + cstime (its reaped children) when asked; -1 when
   * the process is gone or /proc is not there.
   */
  static long ticks(long pid, boolean withReapedChildren) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split("\\s+");
      // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
      long own = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return withReapedChildren ? own + Long.parseLong(f[13]) + Long.parseLong(f[14]) : own;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The parent pid of {@code pid}, or -1. */
  static long parent(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).strip().split("\\s+");
      return Long.parseLong(f[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The live children of {@code pid} (one level), found by scanning /proc. */
  static List<Long> children(long pid) {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.toList()) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        long child = Long.parseLong(name);
        if (parent(child) == pid) {
          found.add(child);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: nothing found
    }
    return found;
  }

  /** CPU nanoseconds of a process and its children so far (reaped ones included); -1 if gone. */
  static long treeNanos(long pid) {
    long root = ticks(pid, true);
    if (root < 0) {
      return -1;
    }
    long sum = root;
    for (long child : children(pid)) {
      sum += Math.max(0, ticks(child, false));
    }
    return sum * NANOS_PER_TICK;
  }

  /** CPU nanoseconds of one process so far; -1 if gone. */
  static long nanos(long pid) {
    long t = ticks(pid, true);
    return t < 0 ? -1 : t * NANOS_PER_TICK;
  }

  /** The postmaster's pid from {@code <data>/postmaster.pid}, or -1. */
  static long postmaster(Path dataDirectory) {
    try {
      List<String> lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"));
      return lines.isEmpty() ? -1 : Long.parseLong(lines.get(0).strip());
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
