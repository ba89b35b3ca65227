package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvTest {
  private enum Color {
    RED,
    GREEN
  }

  @Test
  void readsDurationsInShortAndIsoForms() {
    Env env =
        new Env(Map.of("A", "500ms", "B", "10s", "C", "5m", "D", "1h", "E", "2d", "F", "PT1H30M"));
    assertThat(env.duration("A", Duration.ZERO)).isEqualTo(Duration.ofMillis(500));
    assertThat(env.duration("B", Duration.ZERO)).isEqualTo(Duration.ofSeconds(10));
    assertThat(env.duration("C", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
    assertThat(env.duration("D", Duration.ZERO)).isEqualTo(Duration.ofHours(1));
    assertThat(env.duration("E", Duration.ZERO)).isEqualTo(Duration.ofDays(2));
    assertThat(env.duration("F", Duration.ZERO)).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void unsetOrBlankValuesFallBackToTheDefault() {
    Env env = new Env(Map.of("BLANK", "  "));
    assertThat(env.duration("BLANK", Duration.ofSeconds(3))).isEqualTo(Duration.ofSeconds(3));
    assertThat(env.duration("UNSET", Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
    assertThat(env.integer("UNSET", 7, 1, 10)).isEqualTo(7);
    assertThat(env.choice("UNSET", Color.class, Color.GREEN)).isEqualTo(Color.GREEN);
  }

  @Test
  void aMalformedDurationNamesTheVariableAndTheExpectedForm() {
    Env env = new Env(Map.of("SHUTDOWN_DRAIN_TIMEOUT", "soon"));
    assertThatThrownBy(() -> env.duration("SHUTDOWN_DRAIN_TIMEOUT", Duration.ofSeconds(30)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("SHUTDOWN_DRAIN_TIMEOUT must be a positive duration")
        .hasMessageContaining("'soon'");
  }

  @Test
  void aZeroOrNegativeDurationIsRefused() {
    assertThatThrownBy(() -> new Env(Map.of("T", "0s")).duration("T", Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("T must be a positive duration");
    assertThatThrownBy(() -> new Env(Map.of("T", "PT-5S")).duration("T", Duration.ofSeconds(1)))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("T must be a positive duration");
  }

  @Test
  void choicesAreCaseInsensitiveAndABadOneListsTheAllowedValues() {
    assertThat(new Env(Map.of("COLOR", "Red")).choice("COLOR", Color.class, Color.GREEN))
        .isEqualTo(Color.RED);
    assertThatThrownBy(() -> new Env(Map.of("COLOR", "blue")).choice("COLOR", Color.class, null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("COLOR must be one of red, green, got 'blue'");
  }

  @Test
  void integersAreBoundedAndErrorsNameTheVariable() {
    assertThatThrownBy(() -> new Env(Map.of("HTTP_PORT", "http")).port("HTTP_PORT", 8080))
        .isInstanceOf(ConfigException.class)
        .hasMessage("HTTP_PORT must be a whole number, got 'http'");
    assertThatThrownBy(() -> new Env(Map.of("HTTP_PORT", "70000")).port("HTTP_PORT", 8080))
        .isInstanceOf(ConfigException.class)
        .hasMessage("HTTP_PORT must be between 0 and 65535, got 70000");
  }

  @Test
  void aMissingRequiredVariableIsNamedWithWhatItIs() {
    assertThatThrownBy(() -> new Env(Map.of()).required("POSTGRESQL_URL", "the database URL"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("POSTGRESQL_URL is required: the database URL");
  }

  @Test
  void flagsAcceptCommonSpellings() {
    Env env = new Env(Map.of("A", "yes", "B", "OFF", "C", "maybe"));
    assertThat(env.flag("A", false)).isTrue();
    assertThat(env.flag("B", true)).isFalse();
    assertThatThrownBy(() -> env.flag("C", true))
        .isInstanceOf(ConfigException.class)
        .hasMessage("C must be true or false, got 'maybe'");
  }

  @Test
  void logSettingsRejectAnUnknownLevelNamingLogLevel() {
    assertThatThrownBy(() -> Logging.Settings.fromEnv(new Env(Map.of("LOG_LEVEL", "verbose"))))
        .isInstanceOf(ConfigException.class)
        .hasMessage("LOG_LEVEL must be one of trace, debug, info, warn, error, got 'verbose'");
    assertThat(
            Logging.Settings.fromEnv(new Env(Map.of("LOG_LEVEL", "DEBUG", "LOG_FORMAT", "text"))))
        .isEqualTo(new Logging.Settings(Logging.LogLevel.DEBUG, Logging.Format.TEXT));
  }

  @Test
  void httpSettingsDefaultToLoopback() {
    assertThat(HttpSettings.fromEnv(new Env(Map.of()), 8080))
        .isEqualTo(new HttpSettings("127.0.0.1", 8080));
    assertThat(
            HttpSettings.fromEnv(new Env(Map.of("HTTP_HOST", "0.0.0.0", "HTTP_PORT", "9000")), 1))
        .isEqualTo(new HttpSettings("0.0.0.0", 9000));
  }
}
