package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The contract's id rule, in the one place it is decided. */
class ExperimentIdTest {
  @Test
  void anIdIsTrimmedOnceAndKeepsItsText() {
    ExperimentId id = ExperimentId.parse("  exp_123456\t");

    assertThat(id.value()).isEqualTo("exp_123456");
    assertThat(id.workflowId()).isEqualTo("activate-experiment:exp_123456");
    assertThat(id).hasToString("exp_123456").isEqualTo(ExperimentId.parse("exp_123456"));
    assertThat(ExperimentId.parse("é" + "x".repeat(127)).value()).hasSize(128);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "   ",
        "\u00a0\u3000",
        "exp\u0000",
        "exp\u200b",
        "exp\u202e",
        "ex\u2028p",
        "ex\u2029p",
        "exp\ud800",
        "e\u0301xp"
      })
  void whatBreaksTheRuleIsRefusedNamingIt(String raw) {
    assertThatThrownBy(() -> ExperimentId.parse(raw))
        .isInstanceOf(ExperimentId.Invalid.class)
        .hasMessageStartingWith("experimentId must");
    assertThat(ExperimentId.tryParse(raw)).isEmpty();
  }

  @Test
  void tooLongNullAndUntrimmedAreRefused() {
    assertThatThrownBy(() -> ExperimentId.parse("x".repeat(ExperimentId.MAX_LENGTH + 1)))
        .hasMessage("experimentId must be at most 128 characters");
    assertThatThrownBy(() -> ExperimentId.parse(null)).hasMessage("experimentId is required");
    // The canonical constructor takes only what parse would return.
    assertThatThrownBy(() -> new ExperimentId(" exp_1")).isInstanceOf(ExperimentId.Invalid.class);
    assertThat(ExperimentId.tryParse(" exp_1 ")).contains(new ExperimentId("exp_1"));
  }
}
