package dev.abtest.starter.cli;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.ScheduleCursor;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Failures;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.starter.http.Json;
import dev.abtest.starter.http.ScheduleEndpoints;
import dev.abtest.starter.http.TemporalErrors;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
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
    if (line.positional().size() != 1) {
      err.println("usage: " + CANCEL_USAGE);
      return ActivateCommand.USAGE;
    }
    String raw = line.positional().get(0);
    ExperimentId experimentId;
    try {
      experimentId = ExperimentId.parse(raw);
    } catch (ExperimentId.Invalid invalid) {
      err.println("Invalid experiment id: " + invalid.problem());
      return ActivateCommand.USAGE;
    }
    Duration wait = line.duration("--wait", Duration.ofSeconds(30));
    String cancelledBy = line.option("--as").orElse("cli:" + System.getProperty("user.name"));
    return withClient(
        env,
        err,
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
          Map<String, Object> data = new LinkedHashMap<>();
          data.put("experimentId", experimentId.value());
          data.put("status", "CANCELLED");
          data.put("activateAt", cancelled.get().schedule().activateAt());
          data.put("cancelledBy", cancelledBy);
          out.println(Json.pretty(data));
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
    return withClient(
        env,
        err,
        activations -> {
          out.println(Json.pretty(ScheduleEndpoints.page(activations.schedules(limit, after))));
          return ActivateCommand.OK;
        });
  }

  interface ClientCommand {
    int run(ActivationClient activations);
  }

  /** Connects as {@code activate} does (a short RPC retry), runs, and always disconnects. */
  static int withClient(Env env, PrintStream err, ClientCommand command) {
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
      return command.run(new ActivationClient(temporal.client(stubs), temporal.taskQueue()));
    } catch (RuntimeException e) {
      if (TemporalErrors.isUnavailable(e)) {
        err.println(
            "Temporal is unavailable at " + temporal.address() + ": " + Failures.rootMessage(e));
        return ActivateCommand.UNAVAILABLE;
      }
      err.println("Failed: " + Failures.rootMessage(e));
      return ActivateCommand.FAILED;
    } finally {
      stubs.shutdownNow();
      stubs.awaitTermination(2, TimeUnit.SECONDS);
    }
  }
}
