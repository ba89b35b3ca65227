package dev.abtest.starter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationSchedule;
import dev.abtest.activation.ActivationService;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ScheduleCursor;
import dev.abtest.activation.SchedulePage;
import dev.abtest.starter.auth.Caller;
import io.grpc.Status;
import io.temporal.api.common.v1.WorkflowExecution;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The activation and status routes against a fake {@link ActivationService}: no Temporal, no HTTP
 * server. What the edge itself decides (parsing, the budget, the mapping to answers) is proven
 * here; the real client and server are exercised by the route tests.
 */
class ActivationEndpointsTest {
  private static final Duration BUDGET = Duration.ofSeconds(2);
  private static final Duration CALL_LIMIT = Duration.ofSeconds(3);
  private static final Caller ALICE = new Caller("alice", Set.of("experiments:activate"));

  private final FakeActivations fake = new FakeActivations();
  private final ActivationEndpoints endpoints = new ActivationEndpoints(fake, BUDGET, CALL_LIMIT);

  private static Request post(String json) {
    return new Request(
        ALICE,
        null,
        null,
        "application/json",
        null,
        json.getBytes(StandardCharsets.UTF_8),
        System.nanoTime());
  }

  private static Request get(String id) {
    return new Request(ALICE, id, null, null, null, new byte[0], System.nanoTime());
  }

  private static Object answer(Object handled) throws Exception {
    if (handled instanceof CompletionStage<?> stage) {
      try {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        throw (Exception) Futures.unwrap(e);
      }
    }
    return handled;
  }

  private static ApiError errorOf(Callable call) {
    Throwable thrown = catchThrowable(call::call);
    assertThat(thrown).isInstanceOf(ApiError.class);
    return (ApiError) thrown;
  }

  interface Callable {
    Object call() throws Exception;
  }

  @Test
  void anActivatedResultIsTheRowAndTheIdIsParsedOnceTrimmed() throws Exception {
    fake.result =
        CompletableFuture.completedFuture(
            ActivationResult.activated(
                OutcomeAnswersTest.experiment("exp_1", ExperimentStatus.ACTIVE),
                ExperimentStatus.PENDING,
                OutcomeAnswersTest.NOW));

    Object data = answer(endpoints.activate(post("{\"experimentId\":\"  exp_1 \"}")));

    assertThat(((JsonNode) data).get("status").asText()).isEqualTo("ACTIVE");
    assertThat(fake.calls).containsExactly("activateNow exp_1 by alice");
    assertThat(fake.waitedFor).isPositive().isLessThanOrEqualTo(BUDGET.toNanos());
    assertThat(endpoints.waiting()).isZero();
  }

  @Test
  void stillUndecidedWhenTheBudgetIsSpentIs202WithWhereToPoll() {
    fake.result = CompletableFuture.failedFuture(new TimeoutException("still undecided"));

    ApiError error =
        errorOf(() -> answer(endpoints.activate(post("{\"experimentId\":\"exp 2\"}"))));

    assertThat(error.code()).isEqualTo(ErrorCode.IN_PROGRESS);
    assertThat(error.details())
        .isEqualTo(
            Map.of(
                "workflowId",
                "activate-experiment:exp 2",
                "runId",
                "run-1",
                "statusUrl",
                "/api/nous/ab-testing/experiments/activations/exp%202"));
    assertThat(endpoints.waiting()).isZero();
  }

  @Test
  void temporalUnreachableIs503AndAnythingElse500() {
    fake.failure = Status.UNAVAILABLE.asRuntimeException();
    assertThat(errorOf(() -> endpoints.activate(post("{\"experimentId\":\"exp_3\"}"))).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);

    fake.failure = new IllegalStateException("boom");
    assertThat(errorOf(() -> endpoints.activate(post("{\"experimentId\":\"exp_3\"}"))).code())
        .isEqualTo(ErrorCode.INTERNAL);
  }

  @Test
  void anInvalidIdIs400AndNothingIsAsked() {
    for (String body :
        List.of(
            "{\"experimentId\":\"\"}",
            "{\"experimentId\":\" \\u200b\"}",
            "{\"experimentId\":42}",
            "{}",
            "[]")) {
      ApiError error = errorOf(() -> endpoints.activate(post(body)));
      assertThat(error.code()).as(body).isEqualTo(ErrorCode.INVALID_REQUEST);
    }
    assertThat(fake.calls).isEmpty();
  }

  @Test
  void aLaterTimeIsScheduledAnd202() throws Exception {
    Instant at = Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    fake.scheduleAnswer =
        new ActivationService.ScheduleAnswer(
            execution("exp_4"), new ActivationSchedule(at, "alice"), null);

    Object data =
        endpoints.activate(post("{\"experimentId\":\"exp_4\",\"activateAt\":\"" + at + "\"}"));

    assertThat(data).isInstanceOf(Accepted.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> body = (Map<String, Object>) ((Accepted) data).data();
    assertThat(body).containsEntry("status", "SCHEDULED").containsEntry("activateAt", at);
    assertThat(fake.calls).containsExactly("schedule exp_4 at " + at + " by alice");
  }

  @Test
  void theStatusRouteShowsTheRunWithinTheCallLimit() throws Exception {
    Instant at = Instant.parse("2026-12-10T09:00:00Z");
    fake.status =
        Optional.of(
            new ActivationService.RunStatus(
                "activate-experiment:exp_5",
                "run-1",
                "RUNNING",
                OutcomeAnswersTest.NOW,
                null,
                null,
                new ActivationSchedule(at, "alice")));

    @SuppressWarnings("unchecked")
    Map<String, Object> data = (Map<String, Object>) answer(endpoints.status(get("exp_5")));

    assertThat(data)
        .containsEntry("status", "RUNNING")
        .containsEntry("runId", "run-1")
        .containsEntry("schedule", Map.of("activateAt", at, "scheduledBy", "alice"));
    assertThat(fake.statusTimeout).isPositive().isLessThanOrEqualTo(CALL_LIMIT.toNanos());
  }

  @Test
  void theStatusRouteIs404WithoutARunAnd503WhenTheResultDoesNotCome() {
    fake.status = Optional.empty();
    ApiError none = errorOf(() -> endpoints.status(get("exp_6")));
    assertThat(none.code()).isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(none.getMessage()).isEqualTo("No activation found for this experiment");

    fake.statusFailure = new TimeoutException("no result in time");
    assertThat(errorOf(() -> endpoints.status(get("exp_6"))).code())
        .isEqualTo(ErrorCode.UNAVAILABLE);
    assertThat(errorOf(() -> endpoints.status(get("bad\u0000id"))).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);
  }

  private static WorkflowExecution execution(String id) {
    return WorkflowExecution.newBuilder()
        .setWorkflowId(ExperimentId.parse(id).workflowId())
        .setRunId("run-1")
        .build();
  }

  /** Answers what each test sets, and records what the edge asked. */
  private static final class FakeActivations implements ActivationService {
    final List<String> calls = new ArrayList<>();
    CompletableFuture<ActivationResult> result = new CompletableFuture<>();
    RuntimeException failure;
    long waitedFor;
    ScheduleAnswer scheduleAnswer;
    Optional<RunStatus> status = Optional.empty();
    TimeoutException statusFailure;
    long statusTimeout;

    @Override
    public RunningActivation activateNow(ExperimentId id, String requestedBy) {
      calls.add("activateNow " + id.value() + " by " + requestedBy);
      if (failure != null) {
        throw failure;
      }
      WorkflowExecution execution = execution(id.value());
      return new RunningActivation() {
        @Override
        public String workflowId() {
          return execution.getWorkflowId();
        }

        @Override
        public String runId() {
          return execution.getRunId();
        }

        @Override
        public CompletableFuture<ActivationResult> resultAsync(Duration timeout) {
          waitedFor = timeout.toNanos();
          return result;
        }
      };
    }

    @Override
    public ScheduleAnswer schedule(
        ExperimentId id, Instant activateAt, String requestedBy, Duration timeout) {
      calls.add("schedule " + id.value() + " at " + activateAt + " by " + requestedBy);
      return scheduleAnswer;
    }

    @Override
    public Optional<ActivationResult> cancel(
        ExperimentId id, String requestedBy, Duration timeout) {
      calls.add("cancel " + id.value());
      return Optional.empty();
    }

    @Override
    public SchedulePage schedules(int limit, ScheduleCursor after) {
      calls.add("schedules");
      return new SchedulePage(List.of(), null);
    }

    @Override
    public Optional<RunStatus> status(ExperimentId id, Duration timeout) throws TimeoutException {
      calls.add("status " + id.value());
      statusTimeout = timeout.toNanos();
      if (statusFailure != null) {
        throw statusFailure;
      }
      return status;
    }
  }
}
