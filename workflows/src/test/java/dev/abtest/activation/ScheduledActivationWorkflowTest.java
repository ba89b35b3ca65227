package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;

/** The scheduled path on the Temporal test server (time skipping), with mocked activities. */
class ScheduledActivationWorkflowTest {
  private static final String ID = "exp_later";
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final ActivityMocks mocks = new ActivityMocks();
  private final ValidationActivities validation = mocks.validation;
  private final ActivationWriteActivities store = mocks.store;
  private final DecisionAuditActivities audit = mocks.audit;
  private WorkflowHarness harness;

  @BeforeEach
  void startServer() {
    harness = WorkflowHarness.start(WorkflowHarness.FAST_POLICY, validation, store, audit);
    when(validation.validate(ID)).thenReturn(Samples.valid(ID));
    when(store.writeSnapshot(any()))
        .thenAnswer(call -> Samples.written(((SnapshotWrite) call.getArgument(0)).experimentId()));
  }

  @AfterEach
  void stopServer() {
    harness.close();
  }

  private Instant inAnHour() {
    return Instant.ofEpochMilli(harness.env.currentTimeMillis())
        .plus(Duration.ofHours(1))
        .truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private ActivationResult resultOf(String experimentId) {
    return harness
        .client()
        .newUntypedWorkflowStub(ActivationContract.workflowId(experimentId))
        .getResult(ActivationResult.class);
  }

  private List<Decision> decisions() {
    ArgumentCaptor<Decision> recorded = ArgumentCaptor.forClass(Decision.class);
    verify(audit, org.mockito.Mockito.atLeast(0)).recordDecision(recorded.capture());
    return recorded.getAllValues();
  }

  @Test
  void aScheduleIsRecordedVisibleAndActivatesAtItsTime() {
    Instant at = inAnHour();

    ActivationClient.ScheduleAnswer answer = harness.activations.schedule(ID, at, "alice", WAIT);

    assertThat(answer.schedule()).isEqualTo(new ActivationSchedule(at, "alice"));
    assertThat(answer.result()).isNull();
    assertThat(harness.activations.pendingSchedule(ID))
        .contains(new ActivationSchedule(at, "alice"));
    assertThat(
            harness
                .searchAttributes(ActivationContract.workflowId(ID))
                .get(ActivationContract.ACTIVATION_SCHEDULED_FOR)
                .toInstant())
        .isEqualTo(at);
    verify(store, never()).writeSnapshot(any());

    ActivationResult result = resultOf(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(harness.env.currentTimeMillis()).isGreaterThanOrEqualTo(at.toEpochMilli());
    verify(validation, times(2)).validate(ID);
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.requestedBy().equals("alice")));
    assertThat(decisions())
        .extracting(Decision::outcome, Decision::scheduledFor, Decision::requestedBy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DecisionOutcome.SCHEDULED, at, "alice"));
    assertThat(
            harness
                .searchAttributes(ActivationContract.workflowId(ID))
                .get(ActivationContract.ACTIVATION_SCHEDULED_FOR))
        .isNull();
  }

  @Test
  void aRepeatedScheduleJoinsAndADifferentTimeMovesIt() {
    Instant at = inAnHour();
    harness.activations.schedule(ID, at, "alice", WAIT);

    ActivationClient.ScheduleAnswer again = harness.activations.schedule(ID, at, "bob", WAIT);
    ActivationClient.ScheduleAnswer moved =
        harness.activations.schedule(ID, at.plus(Duration.ofHours(2)), "bob", WAIT);

    assertThat(again.schedule()).isEqualTo(new ActivationSchedule(at, "alice"));
    assertThat(moved.schedule()).isEqualTo(new ActivationSchedule(at.plusSeconds(7200), "bob"));
    assertThat(moved.runId()).isEqualTo(again.runId());
    assertThat(harness.activations.pendingSchedule(ID)).contains(moved.schedule());

    ActivationResult result = resultOf(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(harness.env.currentTimeMillis())
        .isGreaterThanOrEqualTo(at.plusSeconds(7200).toEpochMilli());
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.requestedBy().equals("bob")));
    assertThat(decisions())
        .extracting(Decision::outcome)
        .containsExactly(DecisionOutcome.SCHEDULED, DecisionOutcome.RESCHEDULED);
  }

  @Test
  void cancelEndsTheRunWithoutWritingAndASecondCancelFindsNothing() throws Exception {
    Instant at = inAnHour();
    harness.activations.schedule(ID, at, "alice", WAIT);

    Optional<ActivationResult> cancelled = harness.activations.cancel(ID, "carol", WAIT);

    assertThat(cancelled).isPresent();
    assertThat(cancelled.get().outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(cancelled.get().schedule()).isEqualTo(new ActivationSchedule(at, "alice"));
    assertThat(resultOf(ID).outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(harness.activations.cancel(ID, "carol", WAIT)).isEmpty();
    assertThat(harness.activations.pendingSchedule(ID)).isEmpty();
    verify(store, never()).writeSnapshot(any());
    assertThat(decisions())
        .extracting(Decision::outcome, Decision::requestedBy)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(DecisionOutcome.SCHEDULED, "alice"),
            org.assertj.core.groups.Tuple.tuple(DecisionOutcome.CANCELLED, "carol"));
  }

  @Test
  void anImmediateRequestWhilePendingActivatesNowForItsCaller() throws Exception {
    harness.activations.schedule(ID, inAnHour(), "alice", WAIT);
    long before = harness.env.currentTimeMillis();

    ActivationResult result = harness.activations.activateNow(ID, "dave").result(WAIT);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(harness.env.currentTimeMillis() - before)
        .isLessThan(Duration.ofMinutes(10).toMillis());
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.requestedBy().equals("dave")));
    assertThat(harness.activations.cancel(ID, "carol", WAIT)).isEmpty();
  }

  @Test
  void anImmediateRequestWithNothingPendingActivatesThroughUpdateWithStart() throws Exception {
    ActivationClient.Joined joined = harness.activations.activateNow(ID, "erin");

    assertThat(joined.result(WAIT).outcome()).isEqualTo(Outcome.ACTIVATED);
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.requestedBy().equals("erin")));
    assertThat(decisions()).isEmpty();
  }

  @Test
  void whatWouldBeRejectedIsRefusedAtOnceAndNothingIsScheduled() {
    when(validation.validate(ID)).thenReturn(Samples.rejected(ID, Samples.twoViolations()));

    ActivationClient.ScheduleAnswer answer =
        harness.activations.schedule(ID, inAnHour(), "alice", WAIT);

    assertThat(answer.schedule()).isNull();
    assertThat(answer.result().outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(answer.result().violations()).containsExactlyElementsOf(Samples.twoViolations());
    // The run's decision is audited (REJECTED); nothing was scheduled.
    assertThat(decisions()).extracting(Decision::outcome).containsExactly(DecisionOutcome.REJECTED);
    verify(store, never()).writeSnapshot(any());
  }

  @Test
  void aTimeNotBeforeTheEndDateIsRejected() {
    Instant end = Samples.valid(ID).experiment().endDate();

    ActivationClient.ScheduleAnswer answer = harness.activations.schedule(ID, end, "alice", WAIT);

    assertThat(answer.result().outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(answer.result().violations())
        .extracting(Violation::code)
        .containsExactly(ViolationCode.ACTIVATE_AT_NOT_BEFORE_END_DATE);
  }

  @Test
  void aMoveThatWouldBeRejectedLeavesThePendingScheduleAlone() {
    Instant at = inAnHour();
    harness.activations.schedule(ID, at, "alice", WAIT);
    when(validation.validate(ID)).thenReturn(Samples.alreadyActive(ID));

    ActivationClient.ScheduleAnswer moved =
        harness.activations.schedule(ID, at.plusSeconds(60), "bob", WAIT);

    assertThat(moved.result().outcome()).isEqualTo(Outcome.ALREADY_ACTIVE);
    assertThat(harness.activations.pendingSchedule(ID))
        .contains(new ActivationSchedule(at, "alice"));
  }

  @Test
  void updatesThatCannotApplyAreRefusedBeforeTheHistory() throws Exception {
    harness.activations.activateNow(ID, "erin").result(WAIT);

    assertThat(harness.activations.cancel(ID, "carol", WAIT)).isEmpty();
    String history = harness.client().fetchHistory(ActivationContract.workflowId(ID)).toJson(false);
    assertThat(history).doesNotContain("\"cancel\"");
  }

  @Test
  void aScheduleRefusedByTheValidatorOfADecidingRunAnswersWithTheRunsResult() throws Exception {
    java.util.concurrent.CountDownLatch validating = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    when(validation.validate(ID))
        .thenAnswer(
            call -> {
              validating.countDown();
              assertThat(release.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
              return Samples.valid(ID);
            });
    ActivationClient.Joined now = harness.activations.activateNow(ID, "dave");
    assertThat(validating.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    // The run is deciding: the schedule update's validator refuses it during Update-With-Start.
    java.util.concurrent.CompletableFuture<ActivationClient.ScheduleAnswer> answer =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> harness.activations.schedule(ID, inAnHour(), "bob", WAIT));
    Thread.sleep(500);
    release.countDown();

    ActivationClient.ScheduleAnswer refused =
        answer.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(refused.schedule()).isNull();
    assertThat(refused.result().outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(refused.runId()).isEqualTo(now.runId());
    assertThat(now.result(WAIT).outcome()).isEqualTo(Outcome.ACTIVATED);
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.requestedBy().equals("dave")));
    assertThat(decisions()).extracting(Decision::outcome).doesNotContain(DecisionOutcome.SCHEDULED);
  }

  @Test
  void aTimeThatHasPassedOnTheRunsClockAnswersWithTheRunsResult() {
    // The server's clock is two hours ahead of this caller's: a time an hour ahead here has passed
    // there, so the validator refuses the schedule during Update-With-Start.
    Instant aheadHere = inAnHour();
    harness.env.sleep(Duration.ofHours(2));

    ActivationClient.ScheduleAnswer answer =
        harness.activations.schedule(ID, aheadHere, "alice", WAIT);

    assertThat(answer.schedule()).isNull();
    assertThat(answer.result()).isNotNull();
    assertThat(answer.result().outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(answer.execution()).isNotNull();
    assertThat(harness.activations.pendingSchedule(ID)).isEmpty();
    assertThat(decisions()).extracting(Decision::outcome).doesNotContain(DecisionOutcome.SCHEDULED);
  }

  /**
   * Replays the run's history on the current code (the scheduled path is deterministic) and, with
   * {@code -Dhistories.record=true}, writes it where {@link WorkflowReplayTest} replays it from.
   */
  private void replayAndMaybeRecord(String experimentId, String fileName) throws Exception {
    io.temporal.common.WorkflowExecutionHistory history =
        harness.client().fetchHistory(ActivationContract.workflowId(experimentId));
    io.temporal.testing.WorkflowReplayer.replayWorkflowExecution(
        history, ActivateExperimentWorkflowImpl.class);
    if (Boolean.getBoolean("histories.record")) {
      java.nio.file.Path file =
          java.nio.file.Path.of("src", "test", "resources", "histories", fileName);
      java.nio.file.Files.createDirectories(file.getParent());
      java.nio.file.Files.writeString(file, history.toJson(true));
    }
  }

  private java.time.OffsetDateTime scheduledForOf(String experimentId) {
    return harness
        .client()
        .newUntypedWorkflowStub(ActivationContract.workflowId(experimentId))
        .describe()
        .getTypedSearchAttributes()
        .get(ActivationContract.ACTIVATION_SCHEDULED_FOR);
  }

  @Test
  void aRunStartedForAScheduleCarriesItsTimeFromTheStartAndUnsetsItWhenItDoesNotWait()
      throws Exception {
    // Refused at the first validation: the run never waits, and is no longer listed as pending.
    String refused = "exp_refused_at_start";
    when(validation.validate(refused))
        .thenReturn(Samples.rejected(refused, Samples.twoViolations()));
    Instant at = inAnHour();
    ActivationClient.ScheduleAnswer answer =
        harness.activations.schedule(refused, at, "alice", WAIT);
    assertThat(answer.schedule()).isNull();
    assertThat(answer.result().outcome()).isEqualTo(Outcome.REJECTED);
    assertThat(scheduledForOf(refused)).isNull();
    replayAndMaybeRecord(refused, "scheduled/refused-with-start-attribute.json");

    // Waiting: the attribute stands from the start (set before the first validation ends).
    String waiting = "exp_waiting";
    java.util.concurrent.CountDownLatch validating = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    when(validation.validate(waiting))
        .thenAnswer(
            call -> {
              validating.countDown();
              assertThat(release.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
              return Samples.valid(waiting);
            });
    Instant later = inAnHour();
    java.util.concurrent.CompletableFuture<ActivationClient.ScheduleAnswer> scheduling =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> harness.activations.schedule(waiting, later, "alice", WAIT));
    assertThat(validating.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(scheduledForOf(waiting).toInstant()).isEqualTo(later);
    // An immediate request in this window joins the schedule and activates it.
    ActivationClient.Joined now = harness.activations.activateNow(waiting, "dave");
    assertThat(now.joinedASchedule()).isTrue();
    release.countDown();
    assertThat(now.result(WAIT).outcome()).isEqualTo(Outcome.ACTIVATED);
    scheduling.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
    assertThat(scheduledForOf(waiting)).isNull();
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.experimentId().equals(waiting)));
    replayAndMaybeRecord(waiting, "scheduled/activated-now-in-the-first-validation.json");
  }

  @Test
  void anImmediateRequestThatJoinsAScheduleRefusedForItsTimeActivatesAfresh() throws Exception {
    // The schedule's time is the end date: refused at the first validation, a refusal that is
    // about the schedule only. An immediate request joining in that window still activates.
    String id = "exp_refused_time";
    Instant end = Samples.valid(id).experiment().endDate();
    java.util.concurrent.CountDownLatch validating = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    when(validation.validate(id))
        .thenAnswer(
            call -> {
              if (calls.incrementAndGet() == 1) {
                validating.countDown();
                assertThat(release.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
              }
              return Samples.valid(id);
            });
    java.util.concurrent.CompletableFuture<ActivationClient.ScheduleAnswer> scheduling =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> harness.activations.schedule(id, end, "alice", WAIT));
    assertThat(validating.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    ActivationClient.Joined now = harness.activations.activateNow(id, "dave");
    assertThat(now.joinedASchedule()).isTrue();
    release.countDown();

    assertThat(now.result(WAIT).outcome()).isEqualTo(Outcome.ACTIVATED);
    assertThat(scheduling.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS).result())
        .extracting(ActivationResult::outcome)
        .isEqualTo(Outcome.REJECTED);
    verify(store, times(1))
        .writeSnapshot(org.mockito.ArgumentMatchers.argThat(w -> w.experimentId().equals(id)));
  }

  @Test
  void theScheduledPathsReplay() throws Exception {
    Instant at = inAnHour();
    harness.activations.schedule(ID, at, "alice", WAIT);
    harness.activations.schedule(ID, at.plusSeconds(60), "bob", WAIT);
    assertThat(resultOf(ID).outcome()).isEqualTo(Outcome.ACTIVATED);
    replayAndMaybeRecord(ID, "scheduled/rescheduled-then-activated.json");

    String cancelled = "exp_cancelled";
    when(validation.validate(cancelled)).thenReturn(Samples.valid(cancelled));
    harness.activations.schedule(cancelled, inAnHour(), "alice", WAIT);
    harness.activations.cancel(cancelled, "carol", WAIT);
    replayAndMaybeRecord(cancelled, "scheduled/cancelled.json");

    String now = "exp_now";
    when(validation.validate(now)).thenReturn(Samples.valid(now));
    harness.activations.schedule(now, inAnHour(), "alice", WAIT);
    harness.activations.activateNow(now, "dave").result(WAIT);
    replayAndMaybeRecord(now, "scheduled/activated-now.json");
  }
}
