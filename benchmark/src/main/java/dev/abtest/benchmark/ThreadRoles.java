package dev.abtest.benchmark;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Splits this JVM's CPU time by the role of each thread, told from its name: the worker (Temporal
 * SDK pollers, executors and workflow threads), the starter (its HTTP threads), the load generator
 * (its client threads and the JDK HTTP client), gRPC transport (shared by all of them), the Java
 * test server when it is the engine, and the rest. Threads that end between two snapshots lose the
 * time they spent in between, except the load generator's, which report their own when they end.
 */
final class ThreadRoles {
  static final String WORKER = "worker (Temporal SDK threads)";
  static final String STARTER = "starter (HTTP threads)";
  static final String LOAD = "load generator";
  static final String GRPC = "gRPC transport";
  static final String TEST_SERVER = "Java test server";
  static final String OTHER = "other";

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final Map<String, LongAdder> ENDED = new ConcurrentHashMap<>();

  private ThreadRoles() {}

  static String roleOf(String name) {
    if (name.startsWith("load-") || name.startsWith("HttpClient-")) {
      return LOAD;
    }
    if (name.startsWith("http-")
        || name.startsWith("HTTP-Dispatcher")
        || name.equals("temporal-call-deadlines")) {
      return STARTER;
    }
    if (name.startsWith("grpc-") || name.contains("ELG") || name.contains("EventLoop")) {
      return GRPC;
    }
    if (name.contains("taskQueue=")
        || name.startsWith("workflow-")
        || name.contains("Workflow")
        || name.contains("Activity")
        || name.contains("Poller")) {
      return WORKER;
    }
    String lower = name.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("test") || lower.contains("timer") || lower.contains("timeskipping")) {
      return TEST_SERVER;
    }
    return OTHER;
  }

  /** Called by a thread as it ends, so its time is not lost. */
  static void ending(String role) {
    long cpu = THREADS.getCurrentThreadCpuTime();
    if (cpu > 0) {
      ENDED.computeIfAbsent(role, k -> new LongAdder()).add(cpu);
    }
  }

  /** Per live thread id: its role and CPU nanoseconds; plus the ended threads' totals. */
  record Snapshot(Map<Long, String> roles, Map<Long, Long> cpu, Map<String, Long> ended) {}

  static Snapshot snapshot() {
    Map<Long, String> roles = new HashMap<>();
    Map<Long, Long> cpu = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] == null) {
        continue;
      }
      long t = THREADS.getThreadCpuTime(ids[i]);
      if (t >= 0) {
        roles.put(ids[i], roleOf(infos[i].getThreadName()));
        cpu.put(ids[i], t);
      }
    }
    Map<String, Long> ended = new HashMap<>();
    ENDED.forEach((k, v) -> ended.put(k, v.sum()));
    return new Snapshot(roles, cpu, ended);
  }

  /** CPU nanoseconds by role between two snapshots. */
  static Map<String, Long> delta(Snapshot before, Snapshot after) {
    Map<String, Long> out = new TreeMap<>();
    after
        .cpu()
        .forEach(
            (id, t) -> {
              long d = t - before.cpu().getOrDefault(id, 0L);
              if (d > 0) {
                out.merge(after.roles().get(id), d, Long::sum);
              }
            });
    after
        .ended()
        .forEach(
            (role, t) -> {
              long d = t - before.ended().getOrDefault(role, 0L);
              if (d > 0) {
                out.merge(role, d, Long::sum);
              }
            });
    return out;
  }
}
