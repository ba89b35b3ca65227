package dev.abtest.starter.cli;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ExperimentId;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Failures;
import dev.abtest.starter.http.ActivateAtParser;
import dev.abtest.starter.http.ApiError;
import dev.abtest.starter.http.Json;
import dev.abtest.starter.http.ScheduleEndpoints;
import io.temporal.client.WorkflowFailedException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

/**
 * {@code activate <experimentId> [--at TIME] [--wait 30s] [--as NAME]}: starts or joins the
 * activation through the typed client and prints the result as JSON. Exit code 0 when the
 * experiment is active afterwards (ACTIVATED or ALREADY_ACTIVE), or when a later {@code --at} (RFC
 * 3339 with an offset) is scheduled.
 */
public final class ActivateCommand {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  public static final int REJECTED = 4;
  public static final int IN_PROGRESS = 5;
  public static final int UNAVAILABLE = 6;

  static final String USAGE_LINE =
      "activate <experimentId> [--at 2026-12-10T09:00:00Z] [--wait 30s] [--as NAME]";

  private ActivateCommand() {}

  public static int run(List<String> args, Env env, PrintStream out, PrintStream err) {
    CommandLine line = CommandLine.parse(args, List.of("--wait", "--as", "--at"));
    ExperimentId experimentId = Commands.experimentId(line, USAGE_LINE, err);
    if (experimentId == null) {
      return USAGE;
    }
    Duration wait = Commands.waitBudget(line);
    String requestedBy = Commands.caller(line);
    Optional<Instant> later = Optional.empty();
    if (line.option("--at").isPresent()) {
      try {
        later =
            ActivateAtParser.laterTime(
                Json.mapper().createObjectNode().put("activateAt", line.option("--at").get()),
                Instant.now());
      } catch (ApiError e) {
        err.println("--at: " + ((ApiError.FieldProblem) e.details()).problem());
        return USAGE;
      }
    }
    if (later.isPresent()) {
      Instant at = later.get();
      return Commands.withClient(
          env,
          err,
          "Failed",
          activations -> schedule(activations, experimentId, at, requestedBy, wait, out));
    }
    return Commands.withClient(
        env,
        err,
        "Activation failed",
        activations -> activateNow(activations, experimentId, requestedBy, wait, out, err));
  }

  private static int activateNow(
      ActivationClient activations,
      ExperimentId experimentId,
      String requestedBy,
      Duration wait,
      PrintStream out,
      PrintStream err) {
    try {
      ActivationClient.Joined started = activations.activateNow(experimentId, requestedBy);
      try {
        ActivationResult result = started.result(wait);
        out.println(Json.pretty(result));
        return exitCode(result);
      } catch (TimeoutException e) {
        int code = Commands.inProgress(out, experimentId, started.workflowId(), started.runId());
        err.println("Still running after " + wait.toSeconds() + "s; it continues on its own.");
        return code;
      }
    } catch (WorkflowFailedException e) {
      err.println("The activation workflow failed: " + Failures.rootMessage(e));
      return FAILED;
    }
  }

  private static int schedule(
      ActivationClient activations,
      ExperimentId experimentId,
      Instant at,
      String requestedBy,
      Duration wait,
      PrintStream out) {
    ActivationClient.ScheduleAnswer answer =
        activations.schedule(experimentId, at, requestedBy, wait);
    if (answer.schedule() != null) {
      out.println(Json.pretty(ScheduleEndpoints.scheduledJson(experimentId, answer)));
      return OK;
    }
    if (answer.result() == null) {
      return Commands.inProgress(out, experimentId, answer.workflowId(), answer.runId());
    }
    out.println(Json.pretty(answer.result()));
    return exitCode(answer.result());
  }

  private static int exitCode(ActivationResult result) {
    return switch (result.outcome()) {
      case ACTIVATED, ALREADY_ACTIVE -> OK;
      case NOT_FOUND -> NOT_FOUND;
      case REJECTED -> REJECTED;
      case CANCELLED -> FAILED;
    };
  }
}
