package dev.abtest.starter.cli;

import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.ExperimentId;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Failures;
import dev.abtest.starter.StarterConfig;
import dev.abtest.starter.http.HistoryEndpoint;
import dev.abtest.starter.http.Json;
import dev.abtest.store.ActivationStore;
import dev.abtest.store.AuditCursor;
import dev.abtest.store.Database;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code history <experimentId> [--outcome O] [--limit 20] [--cursor C]}: every decision on the
 * experiment from the audit table (optionally of one outcome), newest first, as the JSON the
 * history route answers.
 */
public final class HistoryCommand {
  static final String USAGE_LINE =
      "history <experimentId> [--outcome ACTIVATED|ALREADY_ACTIVE|REJECTED|SCHEDULED|RESCHEDULED"
          + "|CANCELLED] [--limit 20] [--cursor C]";

  private HistoryCommand() {}

  public static int run(List<String> args, Env env, PrintStream out, PrintStream err) {
    CommandLine line = CommandLine.parse(args, List.of("--outcome", "--limit", "--cursor"));
    ExperimentId experimentId = Commands.experimentId(line, USAGE_LINE, err);
    if (experimentId == null) {
      return ActivateCommand.USAGE;
    }
    int limit =
        line.integer("--limit", HistoryEndpoint.DEFAULT_LIMIT, 1, HistoryEndpoint.MAX_LIMIT);
    DecisionOutcome outcome;
    try {
      outcome = HistoryEndpoint.parseOutcome(line.option("--outcome").orElse(null));
    } catch (IllegalArgumentException e) {
      err.println("--outcome: " + e.getMessage());
      return ActivateCommand.USAGE;
    }
    AuditCursor cursor;
    try {
      cursor = line.option("--cursor").map(AuditCursor::parse).orElse(null);
    } catch (IllegalArgumentException e) {
      err.println("--cursor: " + e.getMessage());
      return ActivateCommand.USAGE;
    }
    try (Database database = new Database(StarterConfig.database(env).withPoolSize(1))) {
      ActivationStore store = new ActivationStore(database.jdbi());
      out.println(
          Json.pretty(
              HistoryEndpoint.page(
                  experimentId.value(),
                  store.history(experimentId.value(), outcome, limit, cursor))));
      return ActivateCommand.OK;
    } catch (RuntimeException e) {
      err.println(
          "Cannot read the activation history from "
              + StarterConfig.database(env).redactedUrl()
              + ": "
              + Failures.rootMessage(e));
      return ActivateCommand.FAILED;
    }
  }
}
