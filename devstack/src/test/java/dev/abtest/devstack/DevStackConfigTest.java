package dev.abtest.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.devstack.DevStackConfig.TemporalMode;
import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DevStackConfigTest {
  @Test
  void theDevServerIsTheDefaultWhenACliIsFoundOnPort8233() {
    DevStackConfig config = DevStackConfig.fromEnv(new Env(Map.of()));
    assertThat(config.temporalMode()).isEqualTo(TemporalMode.AUTO);
    assertThat(config.uiPort()).isEqualTo(8233);
    assertThat(config.startsTemporal()).isTrue();
  }

  @Test
  void everyEngineIsSpelledAsTheContractSays() {
    for (String mode : new String[] {"auto", "cli", "embedded", "external"}) {
      DevStackConfig config = DevStackConfig.fromEnv(new Env(Map.of("DEVSTACK_TEMPORAL", mode)));
      assertThat(config.temporalMode().name()).isEqualToIgnoringCase(mode);
    }
    assertThat(
            DevStackConfig.fromEnv(new Env(Map.of("DEVSTACK_TEMPORAL", "external")))
                .startsTemporal())
        .isFalse();
  }

  @Test
  void anUnknownEngineOrABadUiPortStopsTheStartWithOneLineNamingTheSetting() {
    assertThatThrownBy(() -> DevStackConfig.fromEnv(new Env(Map.of("DEVSTACK_TEMPORAL", "docker"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DEVSTACK_TEMPORAL");
    assertThatThrownBy(() -> DevStackConfig.fromEnv(new Env(Map.of("DEVSTACK_UI_PORT", "99999"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("DEVSTACK_UI_PORT");
  }

  @Test
  void aServerTheDevStackStartsListensOnLoopbackOnly() {
    assertThatThrownBy(
            () ->
                DevStackConfig.fromEnv(
                    new Env(
                        Map.of("DEVSTACK_TEMPORAL", "cli", "TEMPORAL_ADDRESS", "10.1.2.3:7233"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("127.0.0.1");
    assertThat(
            DevStackConfig.fromEnv(
                    new Env(
                        Map.of(
                            "DEVSTACK_TEMPORAL", "external", "TEMPORAL_ADDRESS", "10.1.2.3:7233")))
                .temporalAddress())
        .isEqualTo("10.1.2.3:7233");
  }

  @Test
  void theWebUiLinkFiltersTheListByTheQuery() {
    assertThat(
            DevStack.webUiQueryLink(
                "http://127.0.0.1:8233", "default", "ExperimentId = \"exp_123456\""))
        .isEqualTo(
            "http://127.0.0.1:8233/namespaces/default/workflows?query="
                + "ExperimentId%20%3D%20%22exp_123456%22");
  }
}
