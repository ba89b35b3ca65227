package dev.abtest.starter.cli;

import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.ScheduleCursor;
import dev.abtest.runtime.Env;
import dev.abtest.starter.http.Json;
import dev.abtest.starter.http.ScheduleEndpoints;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * {@code cancel <experimentId> [--as NAME] [--wait 30s]} and {@code schedules [--limit 20]
 * [--cursor C]}: the scheduled activations through the typed client, printed as the JSON the HTTP
 * routes answer.
 */
public final class ScheduleCommands {
  static final String CANCEL_USAGE = "cancel <experimentId> [--as NAME] [--wait 30s]";
  static final String SCHEDULES_USAGE = "schedules [--limit 20] [--cursor C]";

  private ScheduleCommands() {}

  /** Exit 0 when a pending schedule was cancelled, {@link ActivateCommand#NOT_FOUND} when none. */
  public static int cancel(List<String> args, Env env, PrintStream out, PrintStream err) {
    CommandLine line = CommandLine.parse(args, List.of("--as", "--wait"));
    ExperimentId experimentId = Commands.experimentId(line, CANCEL_USAGE, err);
    if (experimentId == null) {
      return ActivateCommand.USAGE;
    }
    Duration wait = Commands.waitBudget(line);
    String cancelledBy = Commands.caller(line);
    return Commands.withClient(
        env,
        err,
        "Failed",
        activations -> {
          Optional<ActivationResult> cancelled;
          try {
            cancelled = activations.cancel(experimentId, cancelledBy, wait);
          } catch (TimeoutException e) {
            err.println("The cancellation is still running after " + wait.toSeconds() + "s.");
            return ActivateCommand.IN_PROGRESS;
          }
          if (cancelled.isEmpty() || cancelled.get().schedule() == null) {
            err.println("No scheduled activation for " + experimentId);
            return ActivateCommand.NOT_FOUND;
          }
          out.println(
              Json.pretty(
                  ScheduleEndpoints.cancelledJson(
                      experimentId, cancelled.get().schedule(), cancelledBy)));
          return ActivateCommand.OK;
        });
  }

  /** The pending schedules, soonest first. */
  public static int schedules(List<String> args, Env env, PrintStream out, PrintStream err) {
    CommandLine line = CommandLine.parse(args, List.of("--limit", "--cursor"));
    if (!line.positional().isEmpty()) {
      err.println("usage: " + SCHEDULES_USAGE);
      return ActivateCommand.USAGE;
    }
    int limit =
        line.integer("--limit", ScheduleEndpoints.DEFAULT_LIMIT, 1, ScheduleEndpoints.MAX_LIMIT);
    ScheduleCursor cursor = null;
    if (line.option("--cursor").isPresent()) {
      Optional<ScheduleCursor> decoded = ScheduleCursor.decode(line.option("--cursor").get());
      if (decoded.isEmpty()) {
        err.println("--cursor must be the nextCursor of a previous page");
        return ActivateCommand.USAGE;
      }
      cursor = decoded.get();
    }
    ScheduleCursor after = cursor;
    return Commands.withClient(
        env,
        err,
        "Failed",
        activations -> {
          out.println(Json.pretty(ScheduleEndpoints.page(activations.schedules(limit, after))));
          return ActivateCommand.OK;
        });
  }
}
