package dev.abtest.worker.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class ActivationRulesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
  private static final String VALID =
      "{\"variants\":[\"control\",\"treatment\"],\"distribution\":[0.5,0.5]}";

  @ParameterizedTest
  @EnumSource(
      value = ExperimentStatus.class,
      names = {"PENDING", "STOPPED", "ACTIVE"})
  void aValidConfigurationWithAFutureEndDatePasses(ExperimentStatus status) {
    assertThat(ActivationRules.check(experiment(status, VALID, NOW.plusSeconds(1)), NOW)).isEmpty();
  }

  @Test
  void manyVariantsWithUnevenWeightsPass() {
    String config =
        "{\"variants\":[\"a\",\"b\",\"c\"],\"distribution\":[0.1,0.2,0.7],\"salt\":\"x\"}";

    assertThat(check(config)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = ExperimentStatus.class,
      names = {"COMPLETED", "FAILED"})
  void aTerminalStatusIsRejected(ExperimentStatus status) {
    List<Violation> violations =
        ActivationRules.check(experiment(status, VALID, NOW.plusSeconds(60)), NOW);

    assertThat(codes(violations)).containsExactly(ViolationCode.STATUS_TERMINAL);
    assertThat(violations.get(0).message()).contains(status.name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "\"text\"", "42", "null", "true"})
  void aConfigurationThatIsNotAnObjectIsMalformed(String config) {
    List<Violation> violations = check(config);

    assertThat(codes(violations)).containsExactly(ViolationCode.CONFIGURATION_MALFORMED);
    assertThat(violations.get(0).message()).contains("must be a JSON object");
  }

  @Test
  void aConfigurationTheDatabaseCouldNotParseIsMalformed() {
    Experiment raw =
        new Experiment(
            "exp",
            "n",
            null,
            NOW,
            NOW.plusSeconds(60),
            ExperimentStatus.PENDING,
            TextNode.valueOf("{broken"),
            NOW,
            NOW);
    Experiment missing =
        new Experiment(
            "exp",
            "n",
            null,
            NOW,
            NOW.plusSeconds(60),
            ExperimentStatus.PENDING,
            NullNode.getInstance(),
            NOW,
            NOW);

    assertThat(codes(ActivationRules.check(raw, NOW)))
        .containsExactly(ViolationCode.CONFIGURATION_MALFORMED);
    assertThat(codes(ActivationRules.check(missing, NOW)))
        .containsExactly(ViolationCode.CONFIGURATION_MALFORMED);
  }

  @Test
  void missingVariantsAndDistributionAreBothReported() {
    List<Violation> violations = check("{}");

    assertThat(codes(violations))
        .containsExactly(
            ViolationCode.CONFIGURATION_MALFORMED, ViolationCode.CONFIGURATION_MALFORMED);
    assertThat(violations.get(0).message()).contains("variants is missing");
    assertThat(violations.get(1).message()).contains("distribution is missing");
  }

  @Test
  void variantsThatAreNotAnArrayAreMalformedButTheWeightsAreStillChecked() {
    List<Violation> violations =
        check("{\"variants\":\"control,treatment\",\"distribution\":[0.5,0.6]}");

    assertThat(codes(violations))
        .containsExactly(
            ViolationCode.CONFIGURATION_MALFORMED, ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE);
    assertThat(violations.get(0).message()).contains("variants must be an array, got a string");
  }

  @Test
  void aDistributionThatIsNotAnArrayIsMalformed() {
    List<Violation> violations = check("{\"variants\":[\"a\",\"b\"],\"distribution\":{\"a\":1}}");

    assertThat(codes(violations)).containsExactly(ViolationCode.CONFIGURATION_MALFORMED);
    assertThat(violations.get(0).message())
        .contains("distribution must be an array, got an object");
  }

  @Test
  void oneVariantIsTooFew() {
    List<Violation> violations = check("{\"variants\":[\"control\"],\"distribution\":[1]}");

    assertThat(codes(violations)).containsExactly(ViolationCode.TOO_FEW_VARIANTS);
    assertThat(violations.get(0).message()).contains("1 variant;");
  }

  @Test
  void noVariantsAreTooFew() {
    assertThat(codes(check("{\"variants\":[],\"distribution\":[]}")))
        .containsExactly(ViolationCode.TOO_FEW_VARIANTS, ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE);
  }

  @Test
  void blankAndNonStringVariantNamesAreReportedByPosition() {
    List<Violation> violations =
        check("{\"variants\":[\"a\",\"  \",7,null,\"\"],\"distribution\":[0.2,0.2,0.2,0.2,0.2]}");

    assertThat(codes(violations)).containsOnly(ViolationCode.BLANK_VARIANT_NAME).hasSize(4);
    assertThat(messages(violations))
        .containsExactly(
            "variant #2 is blank",
            "variant #3 must be a name (a string), got a number (7)",
            "variant #4 must be a name (a string), got null",
            "variant #5 is blank");
  }

  @Test
  void duplicateNamesAreReportedWithBothPositionsComparedAfterTrimming() {
    List<Violation> violations =
        check(
            "{\"variants\":[\"control\",\"control\",\"b\",\" b \",\"B\"],"
                + "\"distribution\":[0.2,0.2,0.2,0.2,0.2]}");

    assertThat(codes(violations))
        .containsExactly(
            ViolationCode.DUPLICATE_VARIANT_NAME, ViolationCode.DUPLICATE_VARIANT_NAME);
    assertThat(messages(violations))
        .containsExactly(
            "variant #2 'control' appears twice (first as variant #1)",
            "variant #4 'b' appears twice (first as variant #3)");
  }

  @Test
  void aDistributionOfAnotherLengthIsReported() {
    List<Violation> violations =
        check("{\"variants\":[\"a\",\"b\"],\"distribution\":[0.2,0.3,0.5]}");

    assertThat(codes(violations)).containsExactly(ViolationCode.DISTRIBUTION_LENGTH_MISMATCH);
    assertThat(violations.get(0).message()).contains("3 weights for 2 variants");
  }

  @Test
  void weightsOutsideZeroToOneAreReportedByPosition() {
    List<Violation> violations =
        check("{\"variants\":[\"a\",\"b\",\"c\"],\"distribution\":[-0.5,1.5,0]}");

    assertThat(codes(violations))
        .containsExactly(ViolationCode.WEIGHT_OUT_OF_RANGE, ViolationCode.WEIGHT_OUT_OF_RANGE);
    assertThat(messages(violations))
        .containsExactly(
            "weight #1 is -0.5; it must be between 0 and 1",
            "weight #2 is 1.5; it must be between 0 and 1");
  }

  @Test
  void weightsThatAreNotFiniteNumbersAreOutOfRange() {
    List<Violation> violations =
        check("{\"variants\":[\"a\",\"b\",\"c\"],\"distribution\":[\"0.5\",null,1e400]}");

    assertThat(codes(violations))
        .containsExactly(
            ViolationCode.WEIGHT_OUT_OF_RANGE,
            ViolationCode.WEIGHT_OUT_OF_RANGE,
            ViolationCode.WEIGHT_OUT_OF_RANGE);
    assertThat(violations.get(0).message()).contains("weight #1").contains("a string (\"0.5\")");
  }

  @Test
  void zeroAndOneAreAllowedWeights() {
    assertThat(check("{\"variants\":[\"a\",\"b\"],\"distribution\":[0,1]}")).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(doubles = {1e-7, -1e-7, 1e-6 * 0.99, -1e-6 * 0.99})
  void weightsSummingToOneWithinTheToleranceAreAccepted(double offset) {
    assertThat(check(twoWeights(0.5, 0.5 + offset))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(doubles = {1e-5, -1e-5, 0.1, -0.5})
  void weightsSummingToOneOutsideTheToleranceAreRejected(double offset) {
    List<Violation> violations = check(twoWeights(0.5, 0.5 + offset));

    assertThat(codes(violations)).containsExactly(ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE);
    assertThat(violations.get(0).message()).contains("weights sum to");
  }

  @Test
  void anEndDateNowOrInThePastIsRejected() {
    for (Instant end : List.of(NOW, NOW.minusMillis(1), NOW.minus(Duration.ofDays(400)))) {
      List<Violation> violations =
          ActivationRules.check(experiment(ExperimentStatus.PENDING, VALID, end), NOW);

      assertThat(codes(violations)).containsExactly(ViolationCode.END_DATE_NOT_IN_FUTURE);
      assertThat(violations.get(0).message()).contains(end.toString());
    }
  }

  @Test
  void everyViolationIsReportedAtOnce() {
    String config = "{\"variants\":[\"a\",\"a\",\" \"],\"distribution\":[2,0.5]}";

    List<Violation> violations =
        ActivationRules.check(
            experiment(ExperimentStatus.COMPLETED, config, NOW.minusSeconds(1)), NOW);

    assertThat(codes(violations))
        .containsExactly(
            ViolationCode.STATUS_TERMINAL,
            ViolationCode.DUPLICATE_VARIANT_NAME,
            ViolationCode.BLANK_VARIANT_NAME,
            ViolationCode.DISTRIBUTION_LENGTH_MISMATCH,
            ViolationCode.WEIGHT_OUT_OF_RANGE,
            ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE,
            ViolationCode.END_DATE_NOT_IN_FUTURE);
  }

  private static String twoWeights(double first, double second) {
    return "{\"variants\":[\"a\",\"b\"],\"distribution\":[" + first + "," + second + "]}";
  }

  private static List<Violation> check(String configuration) {
    return ActivationRules.check(
        experiment(ExperimentStatus.PENDING, configuration, NOW.plus(Duration.ofDays(30))), NOW);
  }

  private static Experiment experiment(ExperimentStatus status, String configuration, Instant end) {
    try {
      JsonNode config = JSON.readTree(configuration);
      return new Experiment(
          "exp_rules", "Rules", null, NOW.minus(Duration.ofDays(1)), end, status, config, NOW, NOW);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<ViolationCode> codes(List<Violation> violations) {
    return violations.stream().map(Violation::code).toList();
  }

  private static List<String> messages(List<Violation> violations) {
    return violations.stream().map(Violation::message).toList();
  }

  @Test
  void decideSaysNotFoundWithoutARow() {
    ValidationReport report = ActivationRules.decide(java.util.Optional.empty(), NOW);

    assertThat(report.verdict()).isEqualTo(ValidationReport.Verdict.NOT_FOUND);
    assertThat(report.experiment()).isNull();
  }

  @Test
  void decideSaysAlreadyActiveForAnActiveRowWhateverItsConfiguration() {
    Experiment active = experiment(ExperimentStatus.ACTIVE, "[]", NOW.minusSeconds(60));

    ValidationReport report = ActivationRules.decide(java.util.Optional.of(active), NOW);

    assertThat(report.verdict()).isEqualTo(ValidationReport.Verdict.ALREADY_ACTIVE);
    assertThat(report.violations()).isEmpty();
  }

  @Test
  void decideRejectsATerminalRowWithEveryOtherViolationToo() {
    Experiment done = experiment(ExperimentStatus.COMPLETED, VALID, NOW.minusSeconds(60));

    ValidationReport report = ActivationRules.decide(java.util.Optional.of(done), NOW);

    assertThat(report.verdict()).isEqualTo(ValidationReport.Verdict.REJECTED);
    assertThat(report.violations())
        .extracting(Violation::code)
        .containsExactly(ViolationCode.STATUS_TERMINAL, ViolationCode.END_DATE_NOT_IN_FUTURE);
  }

  @ParameterizedTest
  @EnumSource(
      value = ExperimentStatus.class,
      names = {"PENDING", "STOPPED"})
  void decideApprovesAnActivatableValidRow(ExperimentStatus status) {
    Experiment row = experiment(status, VALID, NOW.plusSeconds(60));

    ValidationReport report = ActivationRules.decide(java.util.Optional.of(row), NOW);

    assertThat(report.verdict()).isEqualTo(ValidationReport.Verdict.VALID);
    assertThat(report.experiment()).isEqualTo(row);
    assertThat(status.isActivatable()).isTrue();
  }
}
