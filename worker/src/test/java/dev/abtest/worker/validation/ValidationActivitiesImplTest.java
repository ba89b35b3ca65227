package dev.abtest.worker.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.abtest.activation.ActivationFailures;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.ValidationReport.Verdict;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.Database;
import dev.abtest.worker.activation.TestDatabase;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The validation activity through Temporal's activity test environment, on a real PostgreSQL. */
class ValidationActivitiesImplTest {
  private static final Instant NOW = Instant.now();

  private static TestDatabase postgres;

  private Database database;
  private ActivationStore store;
  private TestActivityEnvironment env;
  private ValidationActivities activities;

  @BeforeAll
  static void startPostgres() {
    postgres = TestDatabase.start(ValidationActivitiesImplTest.class);
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @BeforeEach
  void setUp() {
    database = postgres.newDatabase();
    store = new ActivationStore(database.jdbi());
    env = TestActivityEnvironment.newInstance();
    env.registerActivitiesImplementations(
        new ValidationActivitiesImpl(store, Clock.fixed(NOW, ZoneOffset.UTC)));
    activities =
        env.newActivityStub(
            ValidationActivities.class,
            ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(20))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofMillis(10))
                        .setMaximumAttempts(3)
                        .build())
                .build());
  }

  @AfterEach
  void tearDown() {
    env.close();
    database.close();
  }

  @Test
  void aPendingExperimentWithAValidConfigurationIsValidAndUnchanged() {
    TestDatabase.insert(database.jdbi(), "exp_ok", ExperimentStatus.PENDING);
    var before = store.find("exp_ok").orElseThrow();

    ValidationReport report = activities.validate("exp_ok");

    assertThat(report.verdict()).isEqualTo(Verdict.VALID);
    assertThat(report.experiment()).isEqualTo(before);
    assertThat(report.violations()).isEmpty();
    assertThat(store.find("exp_ok").orElseThrow()).isEqualTo(before);
  }

  @Test
  void aStoppedExperimentIsValidToResume() {
    TestDatabase.insert(database.jdbi(), "exp_stopped", ExperimentStatus.STOPPED);

    assertThat(activities.validate("exp_stopped").verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void theIdIsTrimmedBeforeTheLookup() {
    TestDatabase.insert(database.jdbi(), "exp_trim", ExperimentStatus.PENDING);

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
    TestDatabase.insert(database.jdbi(), "exp_active", ExperimentStatus.ACTIVE);

    ValidationReport report = activities.validate("exp_active");

    assertThat(report.verdict()).isEqualTo(Verdict.ALREADY_ACTIVE);
    assertThat(report.experiment().id()).isEqualTo("exp_active");
  }

  @Test
  void anExperimentBreakingRulesIsRejectedWithEveryViolation() {
    TestDatabase.insert(
        database.jdbi(),
        "exp_bad",
        ExperimentStatus.FAILED,
        "{\"variants\": [\"control\"], \"distribution\": [0.5, 0.4]}",
        NOW.minusSeconds(60));

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
    TestDatabase.insert(
        database.jdbi(), "exp_text", ExperimentStatus.PENDING, "\"oops\"", NOW.plusSeconds(600));

    ValidationReport report = activities.validate("exp_text");

    assertThat(report.verdict()).isEqualTo(Verdict.REJECTED);
    assertThat(report.violations())
        .extracting(Violation::code)
        .containsExactly(ViolationCode.CONFIGURATION_MALFORMED);
  }

  @Test
  void theEndDateIsJudgedByTheGivenClock() {
    TestDatabase.insert(
        database.jdbi(),
        "exp_edge",
        ExperimentStatus.PENDING,
        TestDatabase.VALID_CONFIGURATION,
        NOW.plusSeconds(1));

    assertThat(activities.validate("exp_edge").verdict()).isEqualTo(Verdict.VALID);
  }

  @Test
  void anInvalidIdFailsAsANonRetryableInvalidRequest() {
    assertThatThrownBy(() -> activities.validate("exp\u0000bad"))
        .isInstanceOf(ActivityFailure.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(ActivationFailures.INVALID_REQUEST);
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage()).contains("control characters");
            });
  }
}
