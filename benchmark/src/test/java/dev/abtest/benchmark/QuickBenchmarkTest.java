package dev.abtest.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs the benchmark's quick mode end to end (every path at concurrency 1, 8 and 64 on 100 fresh
 * experiments, a 200-request dedup storm) and checks what it must never get wrong: every experiment
 * activated once, one transition in the storm, a report with every section.
 *
 * <p>About 55 s on the 2-core development machine (under the 60 s a CI test may take here); {@code
 * -Dbenchmark.smoke=false} skips it.
 */
class QuickBenchmarkTest {
  @Test
  @EnabledIfSystemProperty(named = "benchmark.smoke", matches = "true")
  void quickModeActivatesEveryExperimentOnceAndWritesEverySection() throws Exception {
    BenchmarkMain.Options options =
        BenchmarkMain.Options.parse(
            "--quick", "--no-worker-process", "--dir=" + Path.of("target", "benchmark-postgres"));
    long t0 = System.nanoTime();
    RunResult result = BenchmarkMain.run(options);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String markdown = Report.markdown(result);
    System.out.println(markdown);
    System.out.println("quick benchmark took " + took.toMillis() + " ms");

    assertThat(result.byConcurrency()).containsOnlyKeys(1, 8, 64);
    result
        .byConcurrency()
        .values()
        .forEach(at -> at.values().forEach(m -> assertThat(m.failedChecks()).isEmpty()));
    assertThat(result.storms())
        .allSatisfy(
            storm -> {
              assertThat(storm.transitions()).isEqualTo(1);
              assertThat(storm.summary().outcomes().keySet())
                  .isSubsetOf("HTTP 200", "HTTP 202", "HTTP 409");
            });
    // Every request overlapping one run joins it.
    assertThat(result.storms().get(1).runsStarted()).isEqualTo(1);
    assertThat(markdown)
        .contains("## Machine", "## Throughput and latency", "## Ratios", "## Dedup storm");
  }
}
