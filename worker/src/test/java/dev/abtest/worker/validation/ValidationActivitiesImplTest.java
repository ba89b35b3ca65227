package dev.abtest.worker.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.ValidationReport.Verdict;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import dev.abtest.testing.ExperimentRow;
import dev.abtest.testing.TestPolicies;
import dev.abtest.worker.FreshActivityTest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validation activity through Temporal's activity test environment, on a real PostgreSQL. */
class ValidationActivitiesImplTest extends FreshActivityTest {
  private static final Instant NOW = Instant.now();

  private ValidationActivities activities;

  @BeforeEach
  void registerTheValidation() {
    env.registerActivitiesImplementations(
        new ValidationActivitiesImpl(store, Clock.fixed(NOW, ZoneOffset.UTC)));
    activities = env.newActivityStub(ValidationActivities.class, TestPolicies.activityAttempts(3));
  }

  @Test
  void aPendingExperimentWithAValidConfigurationIsValidAndUnchanged() {
    insert(ExperimentRow.of("exp_ok", ExperimentStatus.PENDING));
    var before = store.find("exp_ok").orElseThrow();

    ValidationReport report = activities.validate("exp_ok");

    assertThat(report.verdict()).isEqualTo(Verdict.VALID);
    assertThat(report.experiment()).isEqualTo(before);
    assertThat(report.violations()).isEmpty();
    assertThat(store.find("exp_ok").orElseThrow()).isEqualTo(before);
  }

  @Test
  void aStoppedExperimentIsValidToResume() {
    insert(ExperimentRow.of("exp_stopped", ExperimentStatus.STOPPED));

    assertThat(activities.validate("exp_stopped").verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void theIdIsTrimmedBeforeTheLookup() {
    insert(ExperimentRow.of("exp_trim", ExperimentStatus.PENDING));

    assertThat(activities.validate("  exp_trim\t").verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void aMissingExperimentIsNotFound() {
    ValidationReport report = activities.validate("exp_missing");

    assertThat(report.verdict()).isEqualTo(Verdict.NOT_FOUND);
    assertThat(report.experiment()).isNull();
  }

  @Test
  void anActiveExperimentIsAlreadyActiveWithItsRow() {
    insert(ExperimentRow.of("exp_active", ExperimentStatus.ACTIVE));

    ValidationReport report = activities.validate("exp_active");

    assertThat(report.verdict()).isEqualTo(Verdict.ALREADY_ACTIVE);
    assertThat(report.experiment().id()).isEqualTo("exp_active");
  }

  @Test
  void anExperimentBreakingRulesIsRejectedWithEveryViolation() {
    insert(
        ExperimentRow.of("exp_bad", ExperimentStatus.FAILED)
            .withConfiguration("{\"variants\": [\"control\"], \"distribution\": [0.5, 0.4]}")
            .withEndDate(NOW.minusSeconds(60)));

    ValidationReport report = activities.validate("exp_bad");

    assertThat(report.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(report.experiment().id()).isEqualTo("exp_bad");
    assertThat(report.violations())
        .extracting(Violation::code)
        .containsExactly(
            ViolationCode.STATUS_TERMINAL,
            ViolationCode.TOO_FEW_VARIANTS,
            ViolationCode.DISTRIBUTION_LENGTH_MISMATCH,
            ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE,
            ViolationCode.END_DATE_NOT_IN_FUTURE);
  }

  @Test
  void aConfigurationThatIsNotAnObjectIsRejectedNotAnError() {
    insert(
        ExperimentRow.of("exp_text", ExperimentStatus.PENDING)
            .withConfiguration("\"oops\"")
            .withEndDate(NOW.plusSeconds(600)));

    ValidationReport report = activities.validate("exp_text");

    assertThat(report.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(report.violations())
        .extracting(Violation::code)
        .containsExactly(ViolationCode.CONFIGURATION_MALFORMED);
  }

  @Test
  void theEndDateIsJudgedByTheGivenClock() {
    insert(
        ExperimentRow.of("exp_edge", ExperimentStatus.PENDING)
            .withConfiguration(ExperimentRow.VALID_CONFIGURATION)
            .withEndDate(NOW.plusSeconds(1)));

    assertThat(activities.validate("exp_edge").verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anInvalidIdFailsAsANonRetryableInvalidRequest() {
    assertInvalidRequest(() -> activities.validate("exp\u0000bad"), "control characters");
  }
}
