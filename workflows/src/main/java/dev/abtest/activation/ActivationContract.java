package dev.abtest.activation;

import io.temporal.common.SearchAttributeKey;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The names other services rely on (the Temporal table of the contract): workflow type, task queue,
 * id scheme, search attributes, update and query names. Constants only; the behaviour is in the
 * workflow and the typed client.
 */
public final class ActivationContract {
  /** The registered workflow type; any Temporal client starts an activation with it. */
  public static final String WORKFLOW_TYPE = "ActivateExperiment";

  /** The default task queue; {@code TEMPORAL_TASK_QUEUE} overrides it. */
  public static final String DEFAULT_TASK_QUEUE = "experiment-activation";

  /**
   * Workflow ids are {@code activate-experiment:<experimentId>}, so concurrent requests collapse.
   */
  public static final String WORKFLOW_ID_PREFIX = "activate-experiment:";

  /** Keyword set when a run starts, so every activation of an experiment can be listed. */
  public static final SearchAttributeKey<String> EXPERIMENT_ID =
      SearchAttributeKey.forKeyword("ExperimentId");

  /** Keyword set when a run ends, with the {@link Outcome} name. */
  public static final SearchAttributeKey<String> ACTIVATION_OUTCOME =
      SearchAttributeKey.forKeyword("ActivationOutcome");

  /**
   * Datetime set while a schedule is pending (the time it will activate): from the start of a run
   * started for a schedule (so an immediate request sees it while the run still validates), and on
   * a moved schedule; unset when the run stops waiting or refuses to wait. {@code ExecutionStatus =
   * "Running" AND ActivationScheduledFor > "..."} lists them.
   */
  public static final SearchAttributeKey<OffsetDateTime> ACTIVATION_SCHEDULED_FOR =
      SearchAttributeKey.forOffsetDateTime("ActivationScheduledFor");

  /** Every search attribute the workflow sets: what a namespace must know before it runs. */
  public static final List<SearchAttributeKey<?>> SEARCH_ATTRIBUTES =
      List.of(EXPERIMENT_ID, ACTIVATION_OUTCOME, ACTIVATION_SCHEDULED_FOR);

  /** Memo key of the schedule as last set ({@link ActivationSchedule}), listed with the run. */
  public static final String SCHEDULE_MEMO = "activationSchedule";

  /** Update: activate now (a pending schedule ends with this activation). */
  public static final String UPDATE_ACTIVATE_NOW = "activateNow";

  /** Update: set or move the pending schedule. */
  public static final String UPDATE_SCHEDULE = "schedule";

  /** Update: cancel the pending schedule. */
  public static final String UPDATE_CANCEL = "cancel";

  /** Query: the pending schedule, or null. */
  public static final String QUERY_SCHEDULE = "schedule";

  private ActivationContract() {}

  public static String workflowId(String experimentId) {
    return WORKFLOW_ID_PREFIX + experimentId;
  }
}
