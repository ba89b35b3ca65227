package dev.abtest.starter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationSchedule;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.Outcome;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract's status for every outcome, without a server: a pure function of the result. */
class OutcomeAnswersTest {
  static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  static Experiment experiment(String id, ExperimentStatus status) {
    return new Experiment(
        id,
        "Exp " + id,
        null,
        NOW,
        NOW.plusSeconds(86_400),
        status,
        Json.mapper().createObjectNode(),
        NOW,
        NOW);
  }

  @Test
  void activatedIsTheRowInThePrismaShape() {
    Object data =
        OutcomeAnswers.answerFor(
            ActivationResult.activated(
                experiment("exp_1", ExperimentStatus.ACTIVE), ExperimentStatus.PENDING, NOW));

    assertThat(data).isInstanceOf(JsonNode.class);
    assertThat(((JsonNode) data).get("id").asText()).isEqualTo("exp_1");
    assertThat(((JsonNode) data).get("status").asText()).isEqualTo("ACTIVE");
  }

  @Test
  void everyOtherOutcomeIsTheContractsError() {
    assertError(ActivationResult.notFound("exp_1"), ErrorCode.NOT_FOUND, 404);
    assertError(
        ActivationResult.alreadyActive(experiment("exp_1", ExperimentStatus.ACTIVE)),
        ErrorCode.ALREADY_ACTIVE,
        409);
    List<Violation> violations =
        List.of(new Violation(ViolationCode.values()[0], "weights do not sum to 1"));
    ApiError rejected =
        assertError(
            ActivationResult.rejected(
                "exp_1", experiment("exp_1", ExperimentStatus.PENDING), violations),
            ErrorCode.REJECTED,
            422);
    assertThat(rejected.details()).isEqualTo(violations);
    ApiError cancelled =
        assertError(
            ActivationResult.cancelled("exp_1", new ActivationSchedule(NOW, "alice"), "bob"),
            ErrorCode.UNAVAILABLE,
            503);
    assertThat(cancelled.headers()).containsEntry("Retry-After", "1");
  }

  @Test
  void everyOutcomeHasAnAnswer() {
    Set<Outcome> covered =
        EnumSet.of(
            Outcome.ACTIVATED,
            Outcome.NOT_FOUND,
            Outcome.ALREADY_ACTIVE,
            Outcome.REJECTED,
            Outcome.CANCELLED);
    assertThat(covered).containsExactlyInAnyOrder(Outcome.values());
  }

  private static ApiError assertError(ActivationResult result, ErrorCode code, int status) {
    Throwable thrown = catchThrowable(() -> OutcomeAnswers.answerFor(result));
    assertThat(thrown).as(result.outcome().name()).isInstanceOf(ApiError.class);
    ApiError error = (ApiError) thrown;
    assertThat(error.code()).isEqualTo(code);
    assertThat(error.code().status()).isEqualTo(status);
    return error;
  }
}
