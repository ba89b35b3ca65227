package dev.abtest.activation.events;

import dev.abtest.activation.ActivationContract;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInfo;
import io.temporal.workflow.WorkflowLocal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;

/**
 * Emits activation events from workflow code: one {@link DeliverActivationEventWorkflow} run per
 * configured URL, started with {@link ParentClosePolicy#PARENT_CLOSE_POLICY_ABANDON} and awaited
 * only until it has started, so the emitting run answers and closes at once while deliveries are
 * retried for up to a day.
 *
 * <p>Deterministic: the URLs are read once per emit through {@link Workflow#sideEffect} (recorded
 * in the history, so a replay on a worker configured otherwise sees what the run saw), and the
 * event id is derived from the workflow id, run id, event type and the number of events this run
 * emitted before.
 */
public final class ActivationEvents {
  /** Runs recorded before events existed replay without emitting. */
  public static final String CHANGE_ID = "activation-events";

  public static final int EVENTS_VERSION = 1;

  /** Child workflow ids are {@code activation-event:<eventId>:<urlIndex>}. */
  public static final String WORKFLOW_ID_PREFIX = "activation-event:";

  private static final Logger log = Workflow.getLogger(ActivationEvents.class);

  private static final WorkflowLocal<int[]> EMITTED =
      WorkflowLocal.withCachedInitial(() -> new int[1]);

  private final WebhookTargets configured;

  public ActivationEvents(WebhookTargets configured) {
    this.configured = configured == null ? WebhookTargets.none() : configured;
  }

  /**
   * Hands the event to one delivery run per configured URL (none when no URL is configured) and
   * returns once every one has started. Call it after the change is committed. Returns the event,
   * or null for a run recorded before events existed.
   */
  public ActivationEvent emit(ActivationEventType type, ActivationEventData data) {
    if (Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, EVENTS_VERSION)
        == Workflow.DEFAULT_VERSION) {
      return null;
    }
    WebhookTargets targets = Workflow.sideEffect(WebhookTargets.class, () -> configured);
    WorkflowInfo info = Workflow.getInfo();
    int sequence = EMITTED.get()[0]++;
    // Recorded too: a replay elsewhere (a replayer's placeholder ids) still sees the run's id.
    String id =
        Workflow.sideEffect(
            String.class, () -> eventId(info.getWorkflowId(), info.getRunId(), type, sequence));
    ActivationEvent event =
        new ActivationEvent(id, type, Instant.ofEpochMilli(Workflow.currentTimeMillis()), data);
    List<Promise<?>> started = new ArrayList<>();
    for (int index = 0; index < targets.urls().size(); index++) {
      EventDelivery delivery =
          new EventDelivery(event, targets.urls().get(index), index, targets.retryBudgetMillis());
      DeliverActivationEventWorkflow child =
          Workflow.newChildWorkflowStub(
              DeliverActivationEventWorkflow.class, childOptions(delivery));
      Async.function(child::deliver, delivery);
      started.add(Workflow.getWorkflowExecution(child));
    }
    // Only the start: the delivery runs on after this run has closed. A delivery that cannot start
    // must not fail a change that is already committed.
    for (int index = 0; index < started.size(); index++) {
      try {
        started.get(index).get();
      } catch (TemporalFailure failure) {
        log.error(
            "Activation event {} to {} could not be started: {}",
            event.id(),
            WebhookTargets.host(targets.urls().get(index)),
            failure.getMessage());
      }
    }
    return event;
  }

  /** {@code evt_<uuid>}, a name-based UUID: the same on every replay and every attempt. */
  static String eventId(String workflowId, String runId, ActivationEventType type, int sequence) {
    String name = workflowId + "\n" + runId + "\n" + type.wireName() + "\n" + sequence;
    return "evt_" + UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8));
  }

  static String childWorkflowId(EventDelivery delivery) {
    return WORKFLOW_ID_PREFIX + delivery.event().id() + ":" + delivery.urlIndex();
  }

  private static ChildWorkflowOptions childOptions(EventDelivery delivery) {
    String experimentId = delivery.event().data().experimentId();
    ChildWorkflowOptions.Builder options =
        ChildWorkflowOptions.newBuilder()
            .setWorkflowId(childWorkflowId(delivery))
            .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
            .setStaticSummary(
                delivery.event().type().wireName()
                    + " of "
                    + experimentId
                    + " to "
                    + delivery.host());
    if (experimentId != null) {
      options.setTypedSearchAttributes(
          SearchAttributes.newBuilder()
              .set(ActivationContract.EXPERIMENT_ID, experimentId)
              .build());
    }
    return options.build();
  }
}
