package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.atLeast;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.filter.v1.WorkflowExecutionFilter;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The workflow on the Temporal test server, with mocked activities. */
class ActivateExperimentWorkflowTest {
  private static final String ID = "exp_checkout";

  private final ActivityMocks mocks = new ActivityMocks();
  private final ValidationActivities validation = mocks.validation;
  private final ActivationWriteActivities store = mocks.store;
  private final DecisionAuditActivities audit = mocks.audit;
  private WorkflowHarness harness;

  @BeforeEach
  void startServer() {
    harness = WorkflowHarness.start(WorkflowHarness.FAST_POLICY, validation, store, audit);
  }

  @AfterEach
  void stopServer() {
    harness.close();
  }

  private ActivationResult activate(String experimentId) throws Exception {
    return harness.activations.activate(experimentId, "alice", WorkflowHarness.RESULT_TIMEOUT);
  }

  private void assertSearchAttributes(String experimentId, Outcome outcome) {
    SearchAttributes attributes =
        harness.searchAttributes(ActivationContract.workflowId(experimentId));
    assertThat(attributes.get(ActivationContract.EXPERIMENT_ID)).isEqualTo(experimentId);
    assertThat(attributes.get(ActivationContract.ACTIVATION_OUTCOME)).isEqualTo(outcome.name());
  }

  @Test
  void validExperimentIsActivatedByTheStoreAndTheOutcomeIsSearchable() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(Samples.snapshotOf(ID))).thenReturn(Samples.written(ID));

    ActivationResult result = activate(ID);

    assertThat(result).isEqualTo(Samples.activated(ID));
    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(result.previousStatus()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(result.experiment().status()).isEqualTo(ExperimentStatus.ACTIVE);
    verify(validation, times(1)).validate(ID);
    verify(store, times(1)).writeSnapshot(Samples.snapshotOf(ID));
    // The write records ACTIVATED itself, in its transaction.
    verifyNoInteractions(audit);
    assertSearchAttributes(ID, Outcome.ACTIVATED);
  }

  @Test
  void alreadyActiveExperimentIsReportedWithoutWriting() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.alreadyActive(ID));

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.ALREADY_ACTIVE);
    assertThat(result.experiment()).isEqualTo(Samples.alreadyActive(ID).experiment());
    assertThat(result.message()).isEqualTo("Experiment is already active");
    verifyNoInteractions(store);
    verify(audit)
        .recordDecision(
            new Decision(
                ID,
                DecisionOutcome.ALREADY_ACTIVE,
                "alice",
                ExperimentStatus.ACTIVE,
                List.of(),
                0,
                null));
    assertSearchAttributes(ID, Outcome.ALREADY_ACTIVE);
  }

  @Test
  void unknownExperimentIsNotFoundWithoutWriting() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.notFound());

    ActivationResult result = activate(ID);

    assertThat(result).isEqualTo(ActivationResult.notFound(ID));
    assertThat(result.experiment()).isNull();
    verifyNoInteractions(store, audit);
    assertSearchAttributes(ID, Outcome.NOT_FOUND);
  }

  @Test
  void ruleViolationsAreReturnedAllAtOnceWithoutWriting() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.rejected(ID, Samples.twoViolations()));

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations()).containsExactlyElementsOf(Samples.twoViolations());
    assertThat(result.experiment()).isEqualTo(Samples.rejected(ID, List.of()).experiment());
    verifyNoInteractions(store);
    verify(audit)
        .recordDecision(
            new Decision(
                ID,
                DecisionOutcome.REJECTED,
                "alice",
                ExperimentStatus.PENDING,
                List.of(
                    ViolationCode.DUPLICATE_VARIANT_NAME, ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE),
                0,
                null));
    assertSearchAttributes(ID, Outcome.REJECTED);
  }

  static Stream<Arguments> invalidIds() {
    return Stream.of(
        Arguments.of("missing", null),
        Arguments.of("empty", ""),
        Arguments.of("blank", " \t "),
        Arguments.of("too-long", "x".repeat(ExperimentId.MAX_LENGTH + 1)),
        Arguments.of("nul", "exp\u0000one"),
        Arguments.of("newline", "exp\none"),
        Arguments.of("line-separator", "exp\u2028one"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidIds")
  void invalidExperimentIdIsRejectedWithoutCallingAnyActivity(String name, String rawId)
      throws Exception {
    String workflowId = "invalid-id-" + name;
    WorkflowStub stub = harness.startRaw(workflowId, new ActivationRequest(rawId, "mallory"));

    ActivationResult result =
        stub.getResult(
            WorkflowHarness.RESULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS, ActivationResult.class);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.experimentId()).isEqualTo(rawId);
    assertThat(result.violations())
        .singleElement()
        .satisfies(v -> assertThat(v.code()).isEqualTo(ViolationCode.INVALID_EXPERIMENT_ID));
    verifyNoInteractions(validation, store, audit);
    SearchAttributes attributes = harness.searchAttributes(workflowId);
    assertThat(attributes.get(ActivationContract.ACTIVATION_OUTCOME)).isEqualTo("REJECTED");
    assertThat(attributes.containsKey(ActivationContract.EXPERIMENT_ID)).isFalse();
  }

  @Test
  void startedWithoutSearchAttributeTheWorkflowSetsTheTrimmedExperimentId() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.notFound());

    WorkflowStub stub = harness.startRaw("raw-start", new ActivationRequest("  " + ID + " ", null));
    ActivationResult result =
        stub.getResult(
            WorkflowHarness.RESULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS, ActivationResult.class);

    assertThat(result.experimentId()).isEqualTo(ID);
    verify(validation).validate(ID);
    SearchAttributes attributes = harness.searchAttributes("raw-start");
    assertThat(attributes.get(ActivationContract.EXPERIMENT_ID)).isEqualTo(ID);
    assertThat(attributes.get(ActivationContract.ACTIVATION_OUTCOME)).isEqualTo("NOT_FOUND");
  }

  @Test
  void transientStoreFailureIsRetriedUntilItSucceeds() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(any()))
        .thenThrow(new IllegalStateException("connection refused"))
        .thenThrow(new IllegalStateException("connection refused"))
        .thenReturn(Samples.written(ID));

    ActivationResult result = activate(ID);

    assertThat(result).isEqualTo(Samples.activated(ID));
    verify(store, times(3)).writeSnapshot(Samples.snapshotOf(ID));
    verify(validation, times(1)).validate(ID);
    assertSearchAttributes(ID, Outcome.ACTIVATED);
  }

  @Test
  void transientValidationFailureIsRetriedToo() throws Exception {
    when(validation.validate(ID))
        .thenThrow(new IllegalStateException("connection refused"))
        .thenReturn(Samples.notFound());

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.NOT_FOUND);
    verify(validation, times(2)).validate(ID);
  }

  static Stream<Arguments> invalidRequestFailures() {
    return Stream.of(
        Arguments.of(
            "non-retryable",
            ApplicationFailure.newNonRetryableFailure(
                "experimentId is not valid", ActivationFailures.INVALID_REQUEST)),
        // Thrown as retryable: the policy's do-not-retry list must still stop it.
        Arguments.of(
            "do-not-retry type",
            ApplicationFailure.newFailure(
                "experimentId is not valid", ActivationFailures.INVALID_REQUEST)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequestFailures")
  void invalidRequestFailureIsNotRetriedAndRejects(String name, ApplicationFailure failure)
      throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(any())).thenThrow(failure);

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations())
        .containsExactly(
            new Violation(ViolationCode.INVALID_EXPERIMENT_ID, "experimentId is not valid"));
    verify(store, times(1)).writeSnapshot(any());
    assertSearchAttributes(ID, Outcome.REJECTED);
  }

  @Test
  void exhaustedRetryBudgetFailsTheWorkflow() {
    harness.close();
    harness =
        WorkflowHarness.start(WorkflowHarness.EXHAUSTED_IN_TWO_SECONDS, validation, store, audit);
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(any())).thenThrow(new IllegalStateException("connection refused"));

    assertThatThrownBy(() -> activate(ID))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOf(ActivityFailure.class);
    verify(store, atLeast(2)).writeSnapshot(any());
    assertThat(
            harness
                .searchAttributes(ActivationContract.workflowId(ID))
                .get(ActivationContract.ACTIVATION_OUTCOME))
        .isNull();
  }

  @Test
  void fiftyConcurrentStartsShareOneRunAndOneResult() throws Exception {
    int callers = 50;
    CountDownLatch allStarted = new CountDownLatch(callers);
    when(validation.validate(ID))
        .thenAnswer(
            invocation -> {
              // Keep the run open until every caller has started (or joined) it.
              assertThat(allStarted.await(20, TimeUnit.SECONDS)).isTrue();
              return Samples.valid(ID);
            });
    when(store.writeSnapshot(any())).thenReturn(Samples.written(ID));

    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    List<String> runIds = new ArrayList<>();
    List<ActivationResult> results = new ArrayList<>();
    try {
      List<Future<ActivationClient.Started>> starts = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        String caller = "caller-" + i;
        starts.add(
            pool.submit(
                () -> {
                  go.await();
                  ActivationClient.Started started = harness.activations.start(ID, caller);
                  allStarted.countDown();
                  return started;
                }));
      }
      go.countDown();
      List<Future<ActivationResult>> waits = new ArrayList<>();
      for (Future<ActivationClient.Started> start : starts) {
        ActivationClient.Started started = start.get(30, TimeUnit.SECONDS);
        runIds.add(started.runId());
        waits.add(pool.submit(() -> started.result(WorkflowHarness.RESULT_TIMEOUT)));
      }
      for (Future<ActivationResult> wait : waits) {
        results.add(wait.get(40, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(runIds).hasSize(callers).containsOnly(runIds.get(0));
    assertThat(results).hasSize(callers).containsOnly(Samples.activated(ID));
    verify(validation, times(1)).validate(ID);
    verify(store, times(1)).writeSnapshot(any());
    assertThat(closedRunIds(ActivationContract.workflowId(ID))).containsExactly(runIds.get(0));
  }

  @Test
  void aRowBrokenBetweenValidationAndWriteIsValidatedAgainAndRejected() throws Exception {
    ValidationReport broken = Samples.rejected(ID, Samples.twoViolations());
    when(validation.validate(ID)).thenReturn(Samples.valid(ID)).thenReturn(broken);
    when(store.writeSnapshot(Samples.snapshotOf(ID)))
        .thenReturn(Samples.rowChanged(broken.experiment(), 1));

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(result.violations()).containsExactlyElementsOf(Samples.twoViolations());
    verify(validation, times(2)).validate(ID);
    verify(store, times(1)).writeSnapshot(any());
    verify(audit)
        .recordDecision(
            new Decision(
                ID,
                DecisionOutcome.REJECTED,
                "alice",
                ExperimentStatus.PENDING,
                List.of(
                    ViolationCode.DUPLICATE_VARIANT_NAME, ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE),
                1,
                null));
    assertSearchAttributes(ID, Outcome.REJECTED);
  }

  @Test
  void aRowEditedButStillValidIsWrittenAsRevalidatedOnce() throws Exception {
    Experiment edited =
        Samples.experiment(
            ID,
            ExperimentStatus.PENDING,
            "{\"variants\":[\"control\",\"green\"],\"distribution\":[0.5,0.5]}");
    when(validation.validate(ID))
        .thenReturn(Samples.valid(ID))
        .thenReturn(new ValidationReport(ValidationReport.Verdict.VALID, edited, List.of()));
    when(store.writeSnapshot(Samples.snapshotOf(ID))).thenReturn(Samples.rowChanged(edited, 2));
    SnapshotWrite second = SnapshotWrite.of(edited, "alice", 2);
    when(store.writeSnapshot(second)).thenReturn(Samples.written(ID).withWriteAttempts(3));

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    verify(store, times(1)).writeSnapshot(Samples.snapshotOf(ID));
    verify(store, times(1)).writeSnapshot(second);
    verifyNoInteractions(audit);
  }

  @Test
  void aRowThatKeepsChangingFailsTheRunAfterTheLastRoundWithoutActivating() {
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(any()))
        .thenReturn(Samples.rowChanged(Samples.valid(ID).experiment(), 1));

    assertThatThrownBy(() -> activate(ID))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> assertThat(f.getType()).isEqualTo(ActivationFailures.ROW_KEPT_CHANGING));
    verify(store, times(ActivateExperimentWorkflowImpl.MAX_WRITE_ROUNDS)).writeSnapshot(any());
    verify(validation, times(ActivateExperimentWorkflowImpl.MAX_WRITE_ROUNDS + 1)).validate(ID);
    verifyNoInteractions(audit);
  }

  @Test
  void aWriteAnEarlierAttemptCommittedIsActivated() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    ActivationResult activated = Samples.activated(ID);
    when(store.writeSnapshot(any()))
        .thenReturn(
            WriteResult.alreadyWrittenByThisRun(
                    activated.experiment(), ExperimentStatus.PENDING, Samples.ACTIVATED_AT)
                .withWriteAttempts(2));

    assertThat(activate(ID)).isEqualTo(activated);
  }

  @Test
  void aRowDeletedBeforeTheWriteIsNotFoundAndNotAudited() throws Exception {
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(any())).thenReturn(WriteResult.notFound().withWriteAttempts(1));

    assertThat(activate(ID)).isEqualTo(ActivationResult.notFound(ID));
    verifyNoInteractions(audit);
  }

  private List<String> closedRunIds(String workflowId) {
    return harness
        .env
        .getWorkflowServiceStubs()
        .blockingStub()
        .listClosedWorkflowExecutions(
            ListClosedWorkflowExecutionsRequest.newBuilder()
                .setNamespace(harness.env.getNamespace())
                .setExecutionFilter(
                    WorkflowExecutionFilter.newBuilder().setWorkflowId(workflowId).build())
                .build())
        .getExecutionsList()
        .stream()
        .map(info -> info.getExecution())
        .map(WorkflowExecution::getRunId)
        .toList();
  }
}
