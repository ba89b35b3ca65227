package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.testing.ServiceProcess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The real process: what an operator sees when a setting is wrong. */
class WorkerMainProcessTest {
  private static final String PASSWORD = "Sup3r-s3cret-pw";

  @Test
  void withoutADatabaseUrlTheProcessPrintsOneLineNamingItAndExitsWithTwo() throws Exception {
    Result result = run(Map.of());
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderrLines())
        .singleElement()
        .asString()
        .startsWith("worker: configuration error: POSTGRESQL_URL is required");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void aMalformedDatabaseUrlIsReportedWithoutThePassword() throws Exception {
    Result result =
        run(Map.of("POSTGRESQL_URL", "postgresql://app:" + PASSWORD + "@db:port/abtests"));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderrLines())
        .singleElement()
        .asString()
        .startsWith("worker: configuration error: POSTGRESQL_URL is invalid")
        .doesNotContain(PASSWORD);
    assertThat(result.stdout()).doesNotContain(PASSWORD);
  }

  @Test
  void aBadLogLevelStopsTheProcessWithOneLine() throws Exception {
    Result result =
        run(Map.of("POSTGRESQL_URL", "postgresql://app:pw@db:5432/abtests", "LOG_LEVEL", "chatty"));
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.stderrLines())
        .containsExactly(
            "worker: configuration error: LOG_LEVEL must be one of trace, debug, info, warn,"
                + " error, got 'chatty'");
  }

  private record Result(int exitCode, String stdout, List<String> stderrLines) {}

  private static Result run(Map<String, String> env) throws Exception {
    ServiceProcess worker =
        ServiceProcess.mainClass(WorkerMain.class).onlyGivenEnv().env(env).start();
    boolean exited = worker.awaitExit(Duration.ofSeconds(60));
    if (!exited) {
      worker.kill();
    }
    assertThat(exited).as("the process exits").isTrue();
    Process process = worker.process();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.exitValue(), stdout, stderr.lines().toList());
  }
}
