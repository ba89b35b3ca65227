package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
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
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
            java, "-cp", System.getProperty("java.class.path"), WorkerMain.class.getName());
    builder.environment().clear();
    builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    builder.environment().put("HOME", new File("target").getAbsolutePath());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    boolean exited = process.waitFor(60, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
    }
    assertThat(exited).as("the process exits").isTrue();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.exitValue(), stdout, stderr.lines().toList());
  }
}
