package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays recorded histories against the current workflow code: a change that is not replay-safe
 * (another activity order, a new command, a removed step) throws here and fails the build, before
 * it can break runs that are in flight on a deployed worker. Regenerate with {@link
 * RecordHistoriesTest}.
 */
class WorkflowReplayTest {
  /**
   * Recorded on the CLI's dev server (a real Temporal server) by {@code RealServerIT} in the
   * devstack module, from runs of the real worker: the same outcomes as a deployed worker's
   * histories.
   */
  static final List<String> DEV_SERVER_HISTORIES =
      List.of(
          "dev-server/activated.json",
          "dev-server/resumed.json",
          "dev-server/already-active.json",
          "dev-server/rejected.json",
          "dev-server/not-found.json");

  /**
   * The scheduled path (timer, updates), recorded on the test server by {@code
   * ScheduledActivationWorkflowTest} with {@code -Dhistories.record=true}.
   */
  static final List<String> SCHEDULED_HISTORIES =
      List.of(
          "scheduled/rescheduled-then-activated.json",
          "scheduled/cancelled.json",
          "scheduled/activated-now.json",
          // Recorded since schedule runs carry ActivationScheduledFor from their start.
          "scheduled/refused-with-start-attribute.json",
          "scheduled/activated-now-in-the-first-validation.json");

  /** The change id of the versioned change, as a recorded marker holds it (a JSON payload). */
  private static final String VERSION_MARKER =
      java.util.Base64.getEncoder()
          .withoutPadding()
          .encodeToString(
              ("\"" + ActivateExperimentWorkflowImpl.VALIDATED_SNAPSHOT_CHANGE + "\"")
                  .getBytes(StandardCharsets.UTF_8));

  static List<String> histories() {
    List<String> all = new java.util.ArrayList<>(HistoryScenarios.fileNames());
    all.addAll(DEV_SERVER_HISTORIES);
    all.addAll(SCHEDULED_HISTORIES);
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("histories")
  void recordedHistoryReplaysOnTheCurrentWorkflow(String fileName) throws Exception {
    WorkflowExecutionHistory history = load(fileName);
    assertThat(history.getEvents()).hasSizeGreaterThan(3);

    WorkflowReplayer.replayWorkflowExecution(history, ActivateExperimentWorkflowImpl.class);
  }

  @Test
  void everyRecordedPathCoversTheActivitiesItNeeds() throws Exception {
    // Guards against recording the wrong thing: the write path must schedule both activities.
    assertThat(load("activated.json").toJson(false))
        .contains("ValidateExperiment")
        .contains("ActivateExperimentRow");
    assertThat(load("retried-then-activated.json").toJson(false)).contains("\"attempt\": 3");
    assertThat(load("snapshot-activated.json").toJson(false))
        .contains("ValidateExperiment")
        .contains("WriteValidatedSnapshot")
        .contains(VERSION_MARKER);
    assertThat(load("snapshot-row-changed-then-rejected.json").toJson(false))
        .contains("WriteValidatedSnapshot")
        .contains("RecordActivationDecision");
    // The histories recorded before the versioned change take the old path.
    assertThat(load("activated.json").toJson(false)).doesNotContain(VERSION_MARKER);
    // The events path: the version marker, the recorded URLs and one child start per URL.
    assertThat(load("activated-with-events.json").toJson(false))
        .contains("EVENT_TYPE_MARKER_RECORDED")
        .contains("DeliverActivationEvent")
        .contains("PARENT_CLOSE_POLICY_ABANDON");
    assertThat(load("invalid-experiment-id.json").toJson(false))
        .doesNotContain("ActivityTaskScheduled")
        .doesNotContain("ACTIVITY_TASK_SCHEDULED");
  }

  private static WorkflowExecutionHistory load(String fileName) throws IOException {
    try (InputStream in =
        WorkflowReplayTest.class.getClassLoader().getResourceAsStream("histories/" + fileName)) {
      assertThat(in).as("recorded history %s", fileName).isNotNull();
      return WorkflowExecutionHistory.fromJson(
          new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }
}
