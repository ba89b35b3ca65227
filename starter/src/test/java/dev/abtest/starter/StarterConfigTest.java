package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.starter.auth.AuthSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Settings are read once: defaults, and one clear line naming what is wrong. */
class StarterConfigTest {
  private static final String PASSWORD = "Sup3r-s3cret-pw";
  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static Map<String, String> minimal() {
    Map<String, String> env = new HashMap<>();
    env.put("POSTGRESQL_URL", "postgresql://app:" + PASSWORD + "@db.internal:5432/abtests");
    env.put("AUTH_JWT_SECRET", SECRET);
    return env;
  }

  private static StarterConfig parse(Map<String, String> env) {
    return StarterConfig.fromEnv(new Env(env));
  }

  @Test
  void defaultsMatchTheContract() {
    StarterConfig config = parse(minimal());

    assertThat(config.http().host()).isEqualTo("127.0.0.1");
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.waitBudget()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.startTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.bodyLimitBytes()).isEqualTo(16 * 1024);
    assertThat(config.httpThreads()).isEqualTo(32);
    assertThat(config.maxWaiting()).isEqualTo(10_000);
    assertThat(config.temporal().address()).isEqualTo("127.0.0.1:7233");
    assertThat(config.temporal().taskQueue()).isEqualTo("experiment-activation");
    assertThat(config.auth().mode()).isEqualTo(AuthSettings.Mode.JWT);
    assertThat(config.auth().roleClaim()).isEqualTo("roles");
    assertThat(config.auth().requiredRole()).isEqualTo("experiments:activate");
    assertThat(config.database().poolSize()).isLessThanOrEqualTo(4);
  }

  @Test
  void dbPoolSizeIsHonouredAsInTheWorker() {
    Map<String, String> env = minimal();
    env.put("DB_POOL_SIZE", "12");

    assertThat(parse(env).database().poolSize()).isEqualTo(12);
  }

  @Test
  void aBadDbPoolSizeIsRefusedNamingIt() {
    Map<String, String> env = minimal();
    env.put("DB_POOL_SIZE", "0");

    assertThatThrownBy(() -> parse(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DB_POOL_SIZE");
  }

  @Test
  void theSecretsToMaskAreThePasswordTheApiKeyAndTheJwtSecret() {
    Map<String, String> env = minimal();
    env.put("TEMPORAL_API_KEY", "temporal-api-key-0123456789");

    assertThat(parse(env).secrets())
        .containsExactlyInAnyOrder(PASSWORD, "temporal-api-key-0123456789", SECRET);
  }

  @Test
  void describeNamesTheSourcesButNoSecret() {
    String line = parse(minimal()).describe();

    assertThat(line).contains("db.internal:5432/abtests").contains("HS256");
    assertThat(line).doesNotContain(PASSWORD).doesNotContain(SECRET);
    assertThat(parse(minimal()).auth().toString()).doesNotContain(SECRET);
  }

  @Test
  void jwtModeWithoutAKeyRefusesToStart() {
    Map<String, String> env = minimal();
    env.remove("AUTH_JWT_SECRET");

    assertThatThrownBy(() -> parse(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AUTH_MODE=jwt needs a key");
  }

  @Test
  void authModeNoneNeedsNoKey() {
    Map<String, String> env = minimal();
    env.remove("AUTH_JWT_SECRET");
    env.put("AUTH_MODE", "none");

    assertThat(parse(env).auth().mode()).isEqualTo(AuthSettings.Mode.NONE);
  }

  @Test
  void shortSecretIsRefusedWithoutEchoingIt() {
    Map<String, String> env = minimal();
    env.put("AUTH_JWT_SECRET", "short-secret");

    assertThatThrownBy(() -> parse(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("AUTH_JWT_SECRET must be at least 32 bytes")
        .hasMessageNotContaining("short-secret");
  }

  @Test
  void malformedSettingsNameTheVariable() {
    Map<String, Map.Entry<String, String>> cases =
        Map.of(
            "AUTH_MODE", Map.entry("AUTH_MODE", "maybe"),
            "AUTH_JWKS_URL", Map.entry("AUTH_JWKS_URL", "ftp://keys"),
            "ACTIVATION_WAIT_BUDGET", Map.entry("ACTIVATION_WAIT_BUDGET", "soon"),
            "HTTP_PORT", Map.entry("HTTP_PORT", "80000"),
            "HTTP_MAX_BODY_BYTES", Map.entry("HTTP_MAX_BODY_BYTES", "lots"),
            "POSTGRESQL_URL",
                Map.entry("POSTGRESQL_URL", "postgresql://app:" + PASSWORD + "@db:port/x"));
    cases.forEach(
        (name, setting) -> {
          Map<String, String> env = minimal();
          env.put(setting.getKey(), setting.getValue());
          assertThatThrownBy(() -> parse(env))
              .as(name)
              .isInstanceOf(ConfigException.class)
              .hasMessageStartingWith(name)
              .hasMessageNotContaining(PASSWORD);
        });
  }

  @Test
  void missingDatabaseUrlIsNamed() {
    Map<String, String> env = minimal();
    env.remove("POSTGRESQL_URL");

    assertThatThrownBy(() -> parse(env))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("POSTGRESQL_URL is required");
  }

  @Test
  void unreadablePublicKeyFileStopsTheStart() {
    Map<String, String> env = minimal();
    env.put("AUTH_JWT_PUBLIC_KEY_FILE", "/nonexistent/key.pem");

    assertThatThrownBy(() -> parse(env).auth().authenticator())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("AUTH_JWT_PUBLIC_KEY_FILE");
  }
}
