package dev.abtest.activation;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.when;

import dev.abtest.activation.events.ActivationEventActivities;
import dev.abtest.activation.events.DeliveryResult;
import dev.abtest.activation.events.EventDelivery;
import dev.abtest.activation.events.WebhookTargets;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The workflow paths whose recorded histories are checked into {@code
 * src/test/resources/histories}: every outcome, a retried write, a rejection raised by an activity,
 * an exhausted retry budget, and the two ways a run starts (with the search attribute set by the
 * client, or raw).
 */
enum HistoryScenarios {
  ACTIVATED(
      (validation, store) -> {
        when(validation.validate(any())).thenReturn(Samples.valid("exp_activated"));
        when(store.activate(any())).thenReturn(Samples.activated("exp_activated"));
      },
      "exp_activated"),
  ALREADY_ACTIVE(
      (validation, store) ->
          when(validation.validate(any())).thenReturn(Samples.alreadyActive("exp_active")),
      "exp_active"),
  NOT_FOUND(
      (validation, store) -> when(validation.validate(any())).thenReturn(Samples.notFound()),
      "exp_missing"),
  REJECTED(
      (validation, store) ->
          when(validation.validate(any()))
              .thenReturn(Samples.rejected("exp_bad_config", Samples.twoViolations())),
      "exp_bad_config"),
  RETRIED_THEN_ACTIVATED(
      (validation, store) -> {
        when(validation.validate(any())).thenReturn(Samples.valid("exp_retried"));
        when(store.activate(any()))
            .thenThrow(new IllegalStateException("connection refused"))
            .thenThrow(new IllegalStateException("connection refused"))
            .thenReturn(Samples.activated("exp_retried"));
      },
      "exp_retried"),
  INVALID_REQUEST_FROM_ACTIVITY(
      (validation, store) -> {
        when(validation.validate(any())).thenReturn(Samples.valid("exp_refused"));
        when(store.activate(any()))
            .thenThrow(
                ApplicationFailure.newNonRetryableFailure(
                    "experimentId is not valid", ActivationFailures.INVALID_REQUEST));
      },
      "exp_refused"),
  RETRY_BUDGET_EXHAUSTED(
      (validation, store) -> {
        when(validation.validate(any())).thenReturn(Samples.valid("exp_db_down"));
        when(store.activate(any())).thenThrow(new IllegalStateException("connection refused"));
      },
      "exp_db_down"),
  /** Activated with two webhook URLs: the event's deliveries are started, then the run closes. */
  ACTIVATED_WITH_EVENTS(
      (validation, store) -> {
        when(validation.validate(any())).thenReturn(Samples.valid("exp_events"));
        when(store.activate(any())).thenReturn(Samples.activated("exp_events"));
      },
      "exp_events"),
  /** Started raw, without the search attribute: the workflow upserts it. */
  RAW_START_UPSERTS_EXPERIMENT_ID(
      (validation, store) -> when(validation.validate(any())).thenReturn(Samples.notFound()),
      " exp_raw "),
  /** Started raw with an id that breaks the id rule: no activity at all. */
  INVALID_EXPERIMENT_ID((validation, store) -> {}, "exp\u0000bad"),

  // Recorded on the validated-snapshot write (version 1 of VALIDATED_SNAPSHOT_CHANGE); the ones
  // above were recorded before it and are kept as they were, so that they prove old runs replay.

  /** The write of the validated snapshot succeeds. */
  SNAPSHOT_ACTIVATED(
      (validation, store) -> {
        when(validation.validate(any())).thenReturn(Samples.valid("exp_snapshot"));
        when(store.writeSnapshot(any())).thenReturn(Samples.written("exp_snapshot"));
      },
      "exp_snapshot",
      false),
  /** The row changed between validation and write; validated again, it is rejected (audited). */
  SNAPSHOT_ROW_CHANGED_THEN_REJECTED(
      (validation, store) -> {
        ValidationReport broken = Samples.rejected("exp_changed", Samples.twoViolations());
        when(validation.validate(any()))
            .thenReturn(Samples.valid("exp_changed"))
            .thenReturn(broken);
        when(store.writeSnapshot(any())).thenReturn(Samples.rowChanged(broken.experiment(), 1));
      },
      "exp_changed",
      false),
  /** ALREADY_ACTIVE, recorded in the audit. */
  SNAPSHOT_ALREADY_ACTIVE(
      (validation, store) ->
          when(validation.validate(any())).thenReturn(Samples.alreadyActive("exp_active_v1")),
      "exp_active_v1",
      false),
  /** REJECTED by the first validation, recorded in the audit. */
  SNAPSHOT_REJECTED(
      (validation, store) ->
          when(validation.validate(any()))
              .thenReturn(Samples.rejected("exp_bad_v1", Samples.twoViolations())),
      "exp_bad_v1",
      false);

  private static final ActivationPolicy RECORDING_POLICY = WorkflowHarness.EXHAUSTED_IN_TWO_SECONDS;

  private final BiConsumer<ValidationActivities, ActivationWriteActivities> stubs;
  private final String experimentId;
  private final boolean legacy;

  HistoryScenarios(
      BiConsumer<ValidationActivities, ActivationWriteActivities> stubs, String experimentId) {
    this(stubs, experimentId, true);
  }

  HistoryScenarios(
      BiConsumer<ValidationActivities, ActivationWriteActivities> stubs,
      String experimentId,
      boolean legacy) {
    this.stubs = stubs;
    this.experimentId = experimentId;
    this.legacy = legacy;
  }

  /**
   * Recorded by a workflow before the validated-snapshot write: its committed history is what
   * proves that such runs still replay, so it is never recorded again (the current workflow would
   * take the new path).
   */
  boolean legacy() {
    return legacy;
  }

  String fileName() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ".json";
  }

  /** Runs the scenario on a fresh test server and returns its complete history. */
  WorkflowExecutionHistory record() throws Exception {
    ActivityMocks mocks = new ActivityMocks();
    ValidationActivities validation = mocks.validation;
    ActivationWriteActivities store = mocks.store;
    DecisionAuditActivities audit = mocks.audit;
    stubs.accept(validation, store);
    ActivationEventActivities delivery = mocks.delivery;
    when(delivery.post(any()))
        .thenAnswer(
            call -> {
              EventDelivery d = call.getArgument(0);
              return new DeliveryResult(d.event().id(), d.host(), 200, 1);
            });
    WebhookTargets webhooks =
        this == ACTIVATED_WITH_EVENTS
            ? WebhookTargets.of(
                List.of("https://hooks.example.com/abtest", "http://127.0.0.1:9/down"),
                Duration.ofHours(24))
            : WebhookTargets.none();
    try (WorkflowHarness harness =
        WorkflowHarness.start(RECORDING_POLICY, webhooks, validation, store, audit, delivery)) {
      WorkflowStub stub;
      if (this == RAW_START_UPSERTS_EXPERIMENT_ID || this == INVALID_EXPERIMENT_ID) {
        stub =
            harness.startRaw("recorded-" + fileName(), new ActivationRequest(experimentId, null));
      } else {
        stub = harness.activations.start(experimentId, "recorder").stub();
      }
      try {
        stub.getResult(
            WorkflowHarness.RESULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS, ActivationResult.class);
      } catch (WorkflowException expectedForExhaustedBudget) {
        if (this != RETRY_BUDGET_EXHAUSTED) {
          throw expectedForExhaustedBudget;
        }
      }
      return harness.client().fetchHistory(stub.getExecution().getWorkflowId());
    }
  }

  static List<String> fileNames() {
    return java.util.Arrays.stream(values()).map(HistoryScenarios::fileName).toList();
  }
}
