package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.runtime.Env;
import dev.abtest.starter.cli.ActivateCommand;
import dev.abtest.starter.cli.HistoryCommand;
import dev.abtest.starter.cli.ScheduleCommands;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operators' commands against the real stack: output JSON and exit codes. */
@ExtendWith(TestStack.Resolver.class)
class CommandLineTest {
  static TestStack stack;
  static Env env;

  record Run(int exitCode, String out, String err) {
    JsonNode json() throws Exception {
      return new ObjectMapper().readTree(out);
    }
  }

  @BeforeAll
  static void start(TestStack shared) {
    stack = shared;
    env = new Env(shared.env());
  }

  @Test
  void activatePrintsTheResultAndExitsZeroWhenTheExperimentIsActive() throws Exception {
    String id = stack.insert("cli", ExperimentStatus.PENDING);

    Run first = activate(List.of(id, "--as", "ops@example.com", "--wait", "30s"));
    Run second = activate(List.of(id));

    assertThat(first.exitCode()).as(first.err()).isZero();
    assertThat(first.json().get("outcome").asText()).isEqualTo("ACTIVATED");
    assertThat(first.json().at("/experiment/status").asText()).isEqualTo("ACTIVE");
    assertThat(second.exitCode()).isZero();
    assertThat(second.json().get("outcome").asText()).isEqualTo("ALREADY_ACTIVE");
    assertThat(stack.auditRows(id).get(0).get("requested_by")).isEqualTo("ops@example.com");
  }

  @Test
  void activateExitsNonZeroForUnknownAndRejectedExperiments() throws Exception {
    String rejected =
        stack.insert(
            "clibad",
            ExperimentStatus.PENDING,
            "{\"variants\": [\"a\", \"b\"], \"distribution\": [0.2, 0.2]}",
            Instant.now().plus(1, ChronoUnit.DAYS));

    Run missing = activate(List.of(TestStack.newId("nothing")));
    Run refused = activate(List.of(rejected));

    assertThat(missing.exitCode()).isEqualTo(ActivateCommand.NOT_FOUND);
    assertThat(missing.json().get("outcome").asText()).isEqualTo("NOT_FOUND");
    assertThat(refused.exitCode()).isEqualTo(ActivateCommand.REJECTED);
    assertThat(refused.json().at("/violations/0/code").asText())
        .isEqualTo("WEIGHTS_DO_NOT_SUM_TO_ONE");
  }

  @Test
  void activateRefusesABadIdOrUsageWithExitTwo() {
    assertThat(activate(List.of("   ")).exitCode()).isEqualTo(ActivateCommand.USAGE);
    assertThat(activate(List.of()).exitCode()).isEqualTo(ActivateCommand.USAGE);
    assertThat(activate(List.of("a", "b")).exitCode()).isEqualTo(ActivateCommand.USAGE);
  }

  @Test
  void activateAtALaterTimeSchedulesItAndCancelRemovesTheSchedule() throws Exception {
    String id = stack.insert("clisched", ExperimentStatus.PENDING);
    Instant at = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    Run scheduled = activate(List.of(id, "--at", at.toString(), "--as", "planner"));
    Run cancelled = run(ScheduleCommands::cancel, List.of(id, "--as", "ops"));
    Run again = run(ScheduleCommands::cancel, List.of(id));

    assertThat(scheduled.exitCode()).as(scheduled.err()).isZero();
    assertThat(scheduled.json().get("status").asText()).isEqualTo("SCHEDULED");
    assertThat(Instant.parse(scheduled.json().get("activateAt").asText())).isEqualTo(at);
    assertThat(scheduled.json().get("scheduledBy").asText()).isEqualTo("planner");
    assertThat(scheduled.json().get("workflowId").asText()).isEqualTo("activate-experiment:" + id);
    assertThat(cancelled.exitCode()).as(cancelled.err()).isZero();
    assertThat(cancelled.json().get("status").asText()).isEqualTo("CANCELLED");
    assertThat(Instant.parse(cancelled.json().get("activateAt").asText())).isEqualTo(at);
    assertThat(cancelled.json().get("cancelledBy").asText()).isEqualTo("ops");
    assertThat(again.exitCode()).isEqualTo(ActivateCommand.NOT_FOUND);
    assertThat(again.err()).contains("No scheduled activation");
    assertThat(run(ScheduleCommands::cancel, List.of("  ")).exitCode())
        .isEqualTo(ActivateCommand.USAGE);
  }

  @Test
  void historyPrintsTheAuditRecordsNewestFirst() throws Exception {
    String id = stack.insert("clihistory", ExperimentStatus.PENDING);
    assertThat(activate(List.of(id, "--as", "first-operator")).exitCode()).isZero();

    Run history = run(HistoryCommand::run, List.of(id, "--limit", "5"));

    assertThat(history.exitCode()).as(history.err()).isZero();
    JsonNode records = history.json().get("records");
    assertThat(records).hasSize(1);
    assertThat(records.get(0).get("requestedBy").asText()).isEqualTo("first-operator");
    assertThat(records.get(0).get("previousStatus").asText()).isEqualTo("PENDING");
    assertThat(history.json().get("nextCursor").isNull()).isTrue();
  }

  @Test
  void historyFiltersByOutcomeAndRefusesAnUnknownOne() throws Exception {
    String id = stack.insert("clifilter", ExperimentStatus.PENDING);
    assertThat(activate(List.of(id, "--as", "op-1")).exitCode()).isZero();
    activate(List.of(id, "--as", "op-2"));

    Run all = run(HistoryCommand::run, List.of(id));
    Run activated = run(HistoryCommand::run, List.of(id, "--outcome", "ACTIVATED"));
    Run bad = run(HistoryCommand::run, List.of(id, "--outcome", "WON"));

    assertThat(all.json().get("records").findValuesAsText("outcome"))
        .containsExactly("ALREADY_ACTIVE", "ACTIVATED");
    assertThat(activated.json().get("records")).hasSize(1);
    assertThat(activated.json().at("/records/0/requestedBy").asText()).isEqualTo("op-1");
    assertThat(bad.exitCode()).isNotZero();
    assertThat(bad.err()).contains("--outcome").contains("ACTIVATED");
  }

  private static Run activate(List<String> args) {
    return run(ActivateCommand::run, args);
  }

  interface Command {
    int run(List<String> args, Env env, PrintStream out, PrintStream err);
  }

  private static Run run(Command command, List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        command.run(
            args,
            env,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
