package dev.abtest.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.embedded.TemporalServers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Runs the benchmark's quick mode end to end (every path at concurrency 1, 8 and 64, one round, a
 * dedup storm: 100 experiments per path and 200 requests on the test server, 10 and 50 on the dev
 * server) and checks what it must never get wrong: every experiment activated once, one transition
 * in the storm, a report with every section.
 *
 * <p>One engine, to stay quick: the CLI's dev server when {@link TemporalServers#cliForTests()}
 * finds one, else the Java test server. {@code -Dbenchmark.smoke=true} runs it.
 */
class QuickBenchmarkTest {
  @Test
  @EnabledIfSystemProperty(named = "benchmark.smoke", matches = "true")
  void quickModeActivatesEveryExperimentOnceAndWritesEverySection() throws Exception {
    String engine =
        TemporalServers.cliForTests().isPresent() ? BenchmarkMain.DEV : BenchmarkMain.TEST;
    // The dev server persists every workflow step to SQLite and does a few activations a second
    // on the 2-core machine: fewer experiments there keep the test about as short as on the test
    // server.
    List<String> args =
        new ArrayList<>(
            List.of(
                "--quick",
                "--engines=" + engine,
                "--no-worker-process",
                "--dir=" + Path.of("target", "benchmark-postgres")));
    if (engine.equals(BenchmarkMain.DEV)) {
      args.addAll(List.of("--experiments=10", "--storm=50", "--warm-up=5"));
    }
    BenchmarkMain.Options options = BenchmarkMain.Options.parse(args.toArray(String[]::new));
    long t0 = System.nanoTime();
    RunResult result = BenchmarkMain.run(options);
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    String markdown = Report.markdown(result);
    System.out.println(markdown);
    System.out.println("quick benchmark on " + engine + " took " + took.toMillis() + " ms");

    assertThat(result.rounds()).containsOnlyKeys(engine);
    assertThat(result.rounds().get(engine)).containsOnlyKeys(1, 8, 64);
    assertThat(result.failedChecks()).isEmpty();
    assertThat(result.storms().get(engine))
        .allSatisfy(
            storm -> {
              assertThat(storm.transitions()).isEqualTo(1);
              assertThat(storm.summary().outcomes().keySet())
                  .isSubsetOf("HTTP 200", "HTTP 202", "HTTP 409");
            });
    // Every request overlapping one run joins it.
    assertThat(result.storms().get(engine).get(1).runsStarted()).isEqualTo(1);
    assertThat(markdown)
        .contains(
            "## Machine",
            "## Throughput and latency",
            "## CPU time per activation",
            "## Ratios",
            "## Round trips per activation",
            "## Dedup storm");
  }
}
