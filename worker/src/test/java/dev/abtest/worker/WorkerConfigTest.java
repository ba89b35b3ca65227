package dev.abtest.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.HttpSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {
  private static final String PASSWORD = "Sup3r-s3cret-pw";
  private static final String URL = "postgresql://app:" + PASSWORD + "@db.internal:5432/abtests";

  @Test
  void defaultsApplyWhenOnlyTheDatabaseUrlIsGiven() {
    WorkerConfig config = WorkerConfig.fromEnv(env("POSTGRESQL_URL", URL));
    assertThat(config.database().redactedUrl()).isEqualTo("db.internal:5432/abtests");
    assertThat(config.database().poolSize()).isEqualTo(10);
    assertThat(config.http()).isEqualTo(new HttpSettings("127.0.0.1", 8081));
    assertThat(config.temporal().address()).isEqualTo("127.0.0.1:7233");
    assertThat(config.temporal().namespace()).isEqualTo("default");
    assertThat(config.temporal().taskQueue()).isEqualTo("experiment-activation");
    assertThat(config.retryBudget()).isEqualTo(Duration.ofHours(1));
    assertThat(config.policy().retryBudget()).isEqualTo(Duration.ofHours(1));
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxConcurrentActivities()).isEqualTo(10);
    assertThat(config.maxConcurrentWorkflowTasks()).isEqualTo(10);
    assertThat(config.secrets()).containsExactly(PASSWORD);
  }

  @Test
  void everySettingCanBeOverridden() {
    WorkerConfig config =
        WorkerConfig.fromEnv(
            env(
                "POSTGRESQL_URL", URL,
                "DB_POOL_SIZE", "4",
                "HTTP_HOST", "0.0.0.0",
                "HTTP_PORT", "9100",
                "TEMPORAL_ADDRESS", "temporal:7233",
                "TEMPORAL_NAMESPACE", "experiments",
                "TEMPORAL_TASK_QUEUE", "activation-blue",
                "ACTIVATION_RETRY_BUDGET", "10m",
                "SHUTDOWN_DRAIN_TIMEOUT", "5s",
                "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS", "8",
                "LOG_LEVEL", "debug"));
    assertThat(config.database().poolSize()).isEqualTo(4);
    assertThat(config.maxConcurrentActivities()).isEqualTo(4);
    assertThat(config.maxConcurrentWorkflowTasks()).isEqualTo(8);
    assertThat(config.http()).isEqualTo(new HttpSettings("0.0.0.0", 9100));
    assertThat(config.temporal().address()).isEqualTo("temporal:7233");
    assertThat(config.temporal().namespace()).isEqualTo("experiments");
    assertThat(config.temporal().taskQueue()).isEqualTo("activation-blue");
    assertThat(config.policy().retryBudget()).isEqualTo(Duration.ofMinutes(10));
    assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aMissingDatabaseUrlIsNamed() {
    assertThatThrownBy(() -> WorkerConfig.fromEnv(env()))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("POSTGRESQL_URL is required");
  }

  @Test
  void aMalformedDatabaseUrlIsNamedWithoutItsPassword() {
    String malformed = "postgresql://app:" + PASSWORD + "@db.internal:notaport/abtests";
    assertThatThrownBy(() -> WorkerConfig.fromEnv(env("POSTGRESQL_URL", malformed)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("POSTGRESQL_URL is invalid")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(PASSWORD).doesNotContain("\n"));
  }

  @Test
  void aBadLogLevelIsNamed() {
    assertThatThrownBy(() -> WorkerConfig.fromEnv(env("POSTGRESQL_URL", URL, "LOG_LEVEL", "loud")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("LOG_LEVEL must be one of trace, debug, info, warn, error, got 'loud'");
  }

  @Test
  void aBadDurationIsNamed() {
    assertThatThrownBy(
            () ->
                WorkerConfig.fromEnv(
                    env("POSTGRESQL_URL", URL, "SHUTDOWN_DRAIN_TIMEOUT", "thirty seconds")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SHUTDOWN_DRAIN_TIMEOUT must be a positive duration");
  }

  @Test
  void aRetryBudgetShorterThanOneAttemptIsRefused() {
    assertThatThrownBy(
            () -> WorkerConfig.fromEnv(env("POSTGRESQL_URL", URL, "ACTIVATION_RETRY_BUDGET", "5s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ACTIVATION_RETRY_BUDGET must be at least one attempt (30s)");
  }

  @Test
  void aBadPoolSizeOrPortIsNamed() {
    assertThatThrownBy(() -> WorkerConfig.fromEnv(env("POSTGRESQL_URL", URL, "DB_POOL_SIZE", "0")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("DB_POOL_SIZE must be between 1 and 200, got 0");
    assertThatThrownBy(() -> WorkerConfig.fromEnv(env("POSTGRESQL_URL", URL, "HTTP_PORT", "x")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("HTTP_PORT must be a whole number, got 'x'");
  }

  @Test
  void theConfigurationPrintsWithoutSecrets() {
    WorkerConfig config =
        WorkerConfig.fromEnv(env("POSTGRESQL_URL", URL, "TEMPORAL_API_KEY", "tmprl-api-key-value"));
    assertThat(config.toString())
        .contains("db.internal:5432/abtests")
        .doesNotContain(PASSWORD)
        .doesNotContain("tmprl-api-key-value");
    assertThat(config.secrets()).containsExactlyInAnyOrder(PASSWORD, "tmprl-api-key-value");
  }

  @Test
  void aConfigurationErrorIsPrintedAsOneLineAndExitsWithCodeTwo() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        WorkerMain.reportConfigError(
            new ConfigException("LOG_LEVEL must be one of\n trace, debug"),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .isEqualTo(
            "worker: configuration error: LOG_LEVEL must be one of trace, debug"
                + System.lineSeparator());
  }

  private static Env env(String... pairs) {
    Map<String, String> vars = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      vars.put(pairs[i], pairs[i + 1]);
    }
    return new Env(vars);
  }
}
