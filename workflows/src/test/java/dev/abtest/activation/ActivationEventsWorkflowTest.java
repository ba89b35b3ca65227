package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.when;

import dev.abtest.activation.events.ActivationEventActivities;
import dev.abtest.activation.events.ActivationEventType;
import dev.abtest.activation.events.ActivationEvents;
import dev.abtest.activation.events.DeliverActivationEventWorkflow;
import dev.abtest.activation.events.DeliveryResult;
import dev.abtest.activation.events.EventDelivery;
import dev.abtest.activation.events.WebhookTargets;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Event emission on the Temporal test server, with mocked validation, store and delivery. */
class ActivationEventsWorkflowTest {
  private static final String ID = "exp_events";
  private static final String HOOK_A = "https://hooks.example.com/abtest?token=t0ken";
  private static final String HOOK_B = "http://127.0.0.1:9/down";

  private final ActivityMocks mocks = new ActivityMocks();
  private final ValidationActivities validation = mocks.validation;
  private final ActivationWriteActivities store = mocks.store;
  private final DecisionAuditActivities audit = mocks.audit;
  private final ActivationEventActivities delivery = mocks.delivery;
  private final List<EventDelivery> posted = new CopyOnWriteArrayList<>();
  private WorkflowHarness harness;

  @AfterEach
  void stopServer() {
    if (harness != null) {
      harness.close();
    }
  }

  private void start(WebhookTargets targets) {
    harness =
        WorkflowHarness.start(
            WorkflowHarness.FAST_POLICY, targets, validation, store, audit, delivery);
  }

  private void activatable(String id) {
    when(validation.validate(id)).thenReturn(Samples.valid(id));
    when(store.writeSnapshot(Samples.snapshotOf(id))).thenReturn(Samples.written(id));
  }

  private ActivationResult activate(String id) throws Exception {
    return harness.activations.activate(id, "alice", WorkflowHarness.RESULT_TIMEOUT);
  }

  private DeliveryResult deliveryResult(String childId) throws Exception {
    return deliveryResult(childId, 30);
  }

  private DeliveryResult deliveryResult(String childId, long waitSeconds) throws Exception {
    return harness
        .client()
        .newUntypedWorkflowStub(childId)
        .getResult(waitSeconds, TimeUnit.SECONDS, DeliveryResult.class);
  }

  private static String childId(EventDelivery d) {
    return ActivationEvents.WORKFLOW_ID_PREFIX + d.event().id() + ":" + d.urlIndex();
  }

  @Test
  void anActivationHandsEachUrlItsOwnDeliveryOfOneEventAndClosesBeforeTheyEnd() throws Exception {
    start(WebhookTargets.of(List.of(HOOK_A, HOOK_B), Duration.ofHours(24)));
    activatable(ID);
    CountDownLatch release = new CountDownLatch(1);
    when(delivery.post(any()))
        .thenAnswer(
            call -> {
              EventDelivery d = call.getArgument(0);
              posted.add(d);
              release.await(30, TimeUnit.SECONDS);
              return new DeliveryResult(d.event().id(), d.host(), 204, 1);
            });

    ActivationResult result = activate(ID);

    assertThat(result.outcome()).isEqualTo(Outcome.ACTIVATED);
    String parentId = ActivationContract.workflowId(ID);
    assertThat(harness.client().newUntypedWorkflowStub(parentId).describe().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (posted.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(posted).hasSize(2);
    // Both deliveries still running after the activation has closed.
    for (EventDelivery d : posted) {
      assertThat(harness.client().newUntypedWorkflowStub(childId(d)).describe().getStatus())
          .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }
    release.countDown();

    assertThat(posted).extracting(EventDelivery::url).containsExactlyInAnyOrder(HOOK_A, HOOK_B);
    assertThat(posted).extracting(d -> d.event().id()).containsOnly(posted.get(0).event().id());
    EventDelivery first = posted.get(0);
    assertThat(first.event().id()).startsWith("evt_");
    assertThat(first.event().type()).isEqualTo(ActivationEventType.ACTIVATED);
    assertThat(first.event().data().experimentId()).isEqualTo(ID);
    assertThat(first.event().data().previousStatus()).isEqualTo(ExperimentStatus.PENDING);
    assertThat(first.event().data().status()).isEqualTo(ExperimentStatus.ACTIVE);
    assertThat(first.event().data().requestedBy()).isEqualTo("alice");
    assertThat(first.event().data().at()).isEqualTo(Samples.ACTIVATED_AT);
    assertThat(first.event().data().workflowId()).isEqualTo(parentId);
    assertThat(first.event().data().experiment()).isEqualTo(result.experiment());
    assertThat(first.retryBudgetMillis()).isEqualTo(Duration.ofHours(24).toMillis());
    for (EventDelivery d : posted) {
      assertThat(deliveryResult(childId(d)).status()).isEqualTo(204);
      var described = harness.client().newUntypedWorkflowStub(childId(d)).describe();
      assertThat(described.getTypedSearchAttributes().get(ActivationContract.EXPERIMENT_ID))
          .isEqualTo(ID);
      // The summary names the event and the host, never the path or its token.
      assertThat(described.getStaticSummary())
          .isEqualTo("experiment.activated of exp_events to " + d.host())
          .doesNotContain("t0ken");
    }
    assertThat(harness.client().fetchHistory(parentId).toJson(false))
        .contains("PARENT_CLOSE_POLICY_ABANDON");
  }

  @Test
  void aFailingReceiverIsRetriedWithTheSameEventIdUntilItAccepts() throws Exception {
    start(WebhookTargets.of(List.of(HOOK_A), Duration.ofHours(24)));
    activatable(ID);
    AtomicInteger attempts = new AtomicInteger();
    when(delivery.post(any()))
        .thenAnswer(
            call -> {
              EventDelivery d = call.getArgument(0);
              posted.add(d);
              if (attempts.incrementAndGet() <= 3) {
                throw ApplicationFailure.newFailure("HTTP 500", "ActivationEventAttemptFailed");
              }
              return new DeliveryResult(d.event().id(), d.host(), 200, attempts.get());
            });

    assertThat(activate(ID).outcome()).isEqualTo(Outcome.ACTIVATED);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (posted.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(deliveryResult(childId(posted.get(0))).attempt()).isEqualTo(4);
    assertThat(posted).hasSize(4);
    assertThat(posted).extracting(d -> d.event().id()).containsOnly(posted.get(0).event().id());
  }

  @Test
  void aDeliveryWhoseBudgetRunsOutFailsAsUndelivered() throws Exception {
    // A budget short enough to run out in real time too: the test server skips the backoff only
    // while a client waits on a result, and a loaded CI machine once stalled that skipping.
    start(WebhookTargets.of(List.of(HOOK_B), Duration.ofSeconds(20)));
    activatable(ID);
    when(delivery.post(any()))
        .thenAnswer(
            call -> {
              posted.add(call.getArgument(0));
              throw ApplicationFailure.newFailure(
                  "connection refused", "ActivationEventAttemptFailed");
            });

    assertThat(activate(ID).outcome()).isEqualTo(Outcome.ACTIVATED);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (posted.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    String childId = childId(posted.get(0));
    assertThatThrownBy(() -> deliveryResult(childId, 90))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              assertThat(failure.getType()).isEqualTo(DeliverActivationEventWorkflow.UNDELIVERED);
              assertThat(failure.getOriginalMessage())
                  .contains("not delivered to 127.0.0.1:9")
                  .contains("connection refused");
            });
    // 1 s, then 2 s (a tenth of the budget) between attempts, within 20 s: about ten attempts.
    assertThat(posted.size()).isBetween(5, 20);
  }

  @Test
  void runsThatChangeNothingEmitNoEvent() throws Exception {
    start(WebhookTargets.of(List.of(HOOK_A), Duration.ofHours(24)));
    when(validation.validate("exp_active")).thenReturn(Samples.alreadyActive("exp_active"));
    when(validation.validate("exp_missing")).thenReturn(Samples.notFound());
    when(validation.validate("exp_bad"))
        .thenReturn(Samples.rejected("exp_bad", Samples.twoViolations()));

    assertThat(activate("exp_active").outcome()).isEqualTo(Outcome.ALREADY_ACTIVE);
    assertThat(activate("exp_missing").outcome()).isEqualTo(Outcome.NOT_FOUND);
    assertThat(activate("exp_bad").outcome()).isEqualTo(Outcome.REJECTED);

    for (String id : List.of("exp_active", "exp_missing", "exp_bad")) {
      assertThat(harness.client().fetchHistory(ActivationContract.workflowId(id)).toJson(false))
          .doesNotContain("StartChildWorkflowExecution")
          .doesNotContain("START_CHILD_WORKFLOW_EXECUTION");
    }
    verifyNoInteractions(delivery);
  }

  @Test
  void withoutUrlsAnActivationStartsNoDelivery() throws Exception {
    start(WebhookTargets.none());
    activatable(ID);

    assertThat(activate(ID).outcome()).isEqualTo(Outcome.ACTIVATED);

    assertThat(harness.client().fetchHistory(ActivationContract.workflowId(ID)).toJson(false))
        .doesNotContain("StartChildWorkflowExecution")
        .doesNotContain("START_CHILD_WORKFLOW_EXECUTION");
    verifyNoInteractions(delivery);
  }
}
