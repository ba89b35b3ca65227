package dev.abtest.starter.cli;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ExperimentId;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Failures;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.starter.http.ActivateAtParser;
import dev.abtest.starter.http.ApiError;
import dev.abtest.starter.http.Json;
import dev.abtest.starter.http.TemporalErrors;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    if (line.positional().size() != 1) {
      err.println("usage: " + USAGE_LINE);
      return USAGE;
    }
    String raw = line.positional().get(0);
    ExperimentId experimentId;
    try {
      experimentId = ExperimentId.parse(raw);
    } catch (ExperimentId.Invalid invalid) {
      err.println("Invalid experiment id: " + invalid.problem());
      return USAGE;
    }
    Duration wait = line.duration("--wait", Duration.ofSeconds(30));
    String requestedBy = line.option("--as").orElse("cli:" + System.getProperty("user.name"));
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
      return ScheduleCommands.withClient(
          env, err, activations -> schedule(activations, experimentId, at, requestedBy, wait, out));
    }

    TemporalSettings temporal =
        TemporalSettings.fromEnv(env, ActivationContract.DEFAULT_TASK_QUEUE);
    WorkflowServiceStubs stubs =
        temporal.connectLazily(
            options ->
                options.setRpcRetryOptions(
                    DefaultStubServiceOperationRpcRetryOptions.getBuilder()
                        .setExpiration(Duration.ofSeconds(5))
                        .build()));
    try {
      WorkflowClient client = temporal.client(stubs);
      ActivationClient activations = new ActivationClient(client, temporal.taskQueue());
      ActivationClient.Joined started = activations.activateNow(experimentId, requestedBy);
      try {
        ActivationResult result = started.result(wait);
        out.println(Json.pretty(result));
        return exitCode(result);
      } catch (TimeoutException e) {
        Map<String, Object> running = new LinkedHashMap<>();
        running.put("experimentId", experimentId.value());
        running.put("status", "IN_PROGRESS");
        running.put("workflowId", started.workflowId());
        running.put("runId", started.runId());
        out.println(Json.pretty(running));
        err.println("Still running after " + wait.toSeconds() + "s; it continues on its own.");
        return IN_PROGRESS;
      }
    } catch (WorkflowFailedException e) {
      err.println("The activation workflow failed: " + Failures.rootMessage(e));
      return FAILED;
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        err.println(
            "Temporal is unavailable at " + temporal.address() + ": " + Failures.rootMessage(e));
        return UNAVAILABLE;
      }
      err.println("Activation failed: " + Failures.rootMessage(e));
      return FAILED;
    } finally {
      stubs.shutdownNow();
      stubs.awaitTermination(2, TimeUnit.SECONDS);
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
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("experimentId", experimentId.value());
      data.put("status", "SCHEDULED");
      data.put("activateAt", answer.schedule().activateAt());
      data.put("scheduledBy", answer.schedule().scheduledBy());
      data.put("workflowId", answer.workflowId());
      data.put("runId", answer.runId());
      out.println(Json.pretty(data));
      return OK;
    }
    if (answer.result() == null) {
      Map<String, Object> running = new LinkedHashMap<>();
      running.put("experimentId", experimentId.value());
      running.put("status", "IN_PROGRESS");
      running.put("workflowId", answer.workflowId());
      running.put("runId", answer.runId());
      out.println(Json.pretty(running));
      return IN_PROGRESS;
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
