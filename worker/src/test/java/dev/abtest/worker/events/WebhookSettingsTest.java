package dev.abtest.worker.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.worker.WorkerConfig;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSettingsTest {
  private static final String KEY_B64 =
      Base64.getEncoder()
          .encodeToString("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final String SECRET = "whsec_" + KEY_B64;

  private static Env env(String... pairs) {
    Map<String, String> vars = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      vars.put(pairs[i], pairs[i + 1]);
    }
    return new Env(vars);
  }

  @Test
  void withoutUrlsEventsAreOffAndNoSecretIsNeeded() {
    WebhookSettings settings = WebhookSettings.fromEnv(env());
    assertThat(settings.enabled()).isFalse();
    assertThat(settings.retryBudget()).isEqualTo(Duration.ofHours(24));
    assertThat(settings.targets().urls()).isEmpty();
  }

  @Test
  void urlsSecretAndBudgetAreParsed() {
    WebhookSettings settings =
        WebhookSettings.fromEnv(
            env(
                "ACTIVATION_WEBHOOK_URLS",
                    " https://a.example.com/hook , http://127.0.0.1:9000/x?t=1",
                "ACTIVATION_WEBHOOK_SECRET", SECRET,
                "ACTIVATION_WEBHOOK_RETRY_BUDGET", "2h"));
    assertThat(settings.targets().urls())
        .containsExactly("https://a.example.com/hook", "http://127.0.0.1:9000/x?t=1");
    assertThat(settings.targets().retryBudget()).isEqualTo(Duration.ofHours(2));
    assertThat(settings.toString()).doesNotContain(KEY_B64).contains("a.example.com");
    assertThat(settings.secrets()).containsExactly(SECRET, KEY_B64);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://a.example.com/x",
        "a.example.com/x",
        "https://user:pw@a.example.com/x",
        "https:///nohost",
        "https://a.example.com/x,,https://b.example.com",
        "http://a b.example.com/"
      })
  void aBadUrlIsNamedInOneLine(String urls) {
    assertThatThrownBy(
            () ->
                WebhookSettings.fromEnv(
                    env("ACTIVATION_WEBHOOK_URLS", urls, "ACTIVATION_WEBHOOK_SECRET", SECRET)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ACTIVATION_WEBHOOK_URLS")
        .hasMessageNotContaining("pw@")
        .hasMessageNotContaining("\n");
  }

  @Test
  void urlsWithoutASecretAreRefused() {
    assertThatThrownBy(
            () -> WebhookSettings.fromEnv(env("ACTIVATION_WEBHOOK_URLS", "https://a.example.com")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ACTIVATION_WEBHOOK_SECRET is required");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"0123456789abcdef0123456789abcdef", "whsec_c2hvcnQ=", "whsec_!!!notbase64"})
  void aMalformedOrShortSecretIsRefusedWithoutQuotingIt(String secret) {
    assertThatThrownBy(
            () ->
                WebhookSettings.fromEnv(
                    env(
                        "ACTIVATION_WEBHOOK_URLS",
                        "https://a.example.com",
                        "ACTIVATION_WEBHOOK_SECRET",
                        secret)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ACTIVATION_WEBHOOK_SECRET")
        .hasMessageNotContaining(secret);
  }

  @Test
  void aBudgetShorterThanOneAttemptIsRefused() {
    assertThatThrownBy(() -> WebhookSettings.fromEnv(env("ACTIVATION_WEBHOOK_RETRY_BUDGET", "5s")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("ACTIVATION_WEBHOOK_RETRY_BUDGET");
  }

  @Test
  void theWorkerConfigMasksTheSecret() {
    WorkerConfig config =
        WorkerConfig.fromEnv(
            env(
                "POSTGRESQL_URL", "postgresql://app:pw@db:5432/x",
                "ACTIVATION_WEBHOOK_URLS", "https://a.example.com/hook",
                "ACTIVATION_WEBHOOK_SECRET", SECRET));
    assertThat(config.toString()).doesNotContain(KEY_B64).contains("webhookSecret=***");
    assertThat(config.secrets()).contains(SECRET, KEY_B64);
  }

  @Test
  void theSignatureIsHmacSha256OverIdTimestampAndBody() throws Exception {
    WebhookSettings settings =
        WebhookSettings.fromEnv(
            env(
                "ACTIVATION_WEBHOOK_URLS",
                "https://a.example.com",
                "ACTIVATION_WEBHOOK_SECRET",
                SECRET));
    String signature = new WebhookSigner(settings.key()).sign("evt_1", 1700000000L, "{\"a\":1}");

    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(Base64.getDecoder().decode(KEY_B64), "HmacSHA256"));
    String expected =
        "v1,"
            + Base64.getEncoder()
                .encodeToString(
                    mac.doFinal("evt_1.1700000000.{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
    assertThat(signature).isEqualTo(expected);
  }
}
