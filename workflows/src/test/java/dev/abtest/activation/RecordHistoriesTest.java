package dev.abtest.activation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.temporal.common.WorkflowExecutionHistory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regenerates the histories the replay test checks. Off by default: run it only after a deliberate,
 * replay-safe change of the workflow (or when adding a scenario), with {@code mvn -pl workflows
 * verify -Dhistories.record=true -Dtest=RecordHistoriesTest}. Scenarios marked {@link
 * HistoryScenarios#legacy()} are skipped: their files were recorded before a versioned change.
 */
@EnabledIfSystemProperty(named = "histories.record", matches = "true")
class RecordHistoriesTest {
  private static final Path DIRECTORY = Path.of("src", "test", "resources", "histories");

  @ParameterizedTest
  @EnumSource(HistoryScenarios.class)
  void recordHistory(HistoryScenarios scenario) throws Exception {
    assumeFalse(scenario.legacy(), "a history of the workflow before its versioned change");
    WorkflowExecutionHistory history = scenario.record();
    assertThat(history.getLastEvent().getEventType().name()).contains("WORKFLOW_EXECUTION_");
    Files.createDirectories(DIRECTORY);
    Files.writeString(
        DIRECTORY.resolve(scenario.fileName()), history.toJson(true), StandardCharsets.UTF_8);
  }
}
