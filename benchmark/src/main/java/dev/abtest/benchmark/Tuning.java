package dev.abtest.benchmark;

import java.util.ArrayList;
import java.util.List;

/**
 * The knobs the benchmark wires the worker, the pool and the HTTP servers with; 0 leaves the
 * Temporal SDK's default, and a negative workflow cache turns sticky execution off. {@link
 * #workerDefaults()} is what the worker process uses out of the box ({@code --worker-defaults});
 * {@link #recommended()} is what profiling led to. Every field can be set with {@code
 * --<name>=<value>}.
 */
record Tuning(
    int poolSize,
    int workflowPollers,
    int activityPollers,
    int workflowSlots,
    int activitySlots,
    int workflowCache,
    int httpThreads) {

  static final List<String> NAMES =
      List.of(
          "pool-size",
          "workflow-pollers",
          "activity-pollers",
          "workflow-slots",
          "activity-slots",
          "workflow-cache",
          "http-threads");

  /**
   * WorkerConfig's defaults: pool 10 (DB_POOL_SIZE), one activity slot per connection, 10 workflow
   * task slots, the SDK's pollers and sticky cache; the starter's 256 HTTP threads.
   */
  static Tuning workerDefaults() {
    return new Tuning(10, 0, 0, 10, 10, 0, 256);
  }

  static Tuning recommended() {
    return workerDefaults();
  }

  Tuning with(String name, int value) {
    int[] v = {
      poolSize,
      workflowPollers,
      activityPollers,
      workflowSlots,
      activitySlots,
      workflowCache,
      httpThreads
    };
    int index = NAMES.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("unknown option --" + name);
    }
    if (value < 0 && !"workflow-cache".equals(name)) {
      throw new IllegalArgumentException("--" + name + " must not be negative");
    }
    v[index] = value;
    return new Tuning(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
  }

  List<String> describe() {
    List<String> lines = new ArrayList<>();
    lines.add("Hikari pool size: " + poolSize);
    lines.add(
        "workflow task pollers: "
            + orDefault(workflowPollers)
            + ", workflow task slots: "
            + orDefault(workflowSlots));
    lines.add(
        "activity task pollers: "
            + orDefault(activityPollers)
            + ", activity slots: "
            + orDefault(activitySlots));
    lines.add(
        "sticky workflow cache: "
            + (workflowCache < 0 ? "off (no sticky execution)" : orDefault(workflowCache)));
    lines.add("HTTP threads (starter and original route): " + httpThreads);
    lines.add("as options: `" + flags() + "`");
    return lines;
  }

  /** The command-line flags that reproduce this tuning. */
  String flags() {
    int[] v = {
      poolSize,
      workflowPollers,
      activityPollers,
      workflowSlots,
      activitySlots,
      workflowCache,
      httpThreads
    };
    StringBuilder flags = new StringBuilder();
    for (int i = 0; i < NAMES.size(); i++) {
      flags.append(i == 0 ? "" : " ").append("--").append(NAMES.get(i)).append('=').append(v[i]);
    }
    return flags.toString();
  }

  private static String orDefault(int value) {
    return value == 0 ? "SDK default" : Integer.toString(value);
  }
}
