package dev.abtest.starter.cli;

import dev.abtest.activation.ActivationClient;
import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ExperimentId;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.Failures;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.starter.http.Json;
import dev.abtest.starter.http.TemporalErrors;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.rpcretry.DefaultStubServiceOperationRpcRetryOptions;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What the commands share: their one experiment-id argument, who is asking, the connection to
 * Temporal and the JSON they print.
 */
final class Commands {
  private Commands() {}

  /**
   * The one positional argument as an experiment id; null, after printing why on {@code err}, when
   * there is not exactly one or it is not a valid id (the command exits {@link
   * ActivateCommand#USAGE}).
   */
  static ExperimentId experimentId(CommandLine line, String usage, PrintStream err) {
    if (line.positional().size() != 1) {
      err.println("usage: " + usage);
      return null;
    }
    try {
      return ExperimentId.parse(line.positional().get(0));
    } catch (ExperimentId.Invalid invalid) {
      err.println("Invalid experiment id: " + invalid.problem());
      return null;
    }
  }

  /** {@code --as NAME}, else {@code cli:<user>}. */
  static String caller(CommandLine line) {
    return line.option("--as").orElse("cli:" + System.getProperty("user.name"));
  }

  /** {@code --wait}, 30 s by default. */
  static Duration waitBudget(CommandLine line) {
    return line.duration("--wait", Duration.ofSeconds(30));
  }

  /** Prints the answer for a run still deciding when the wait ran out. */
  static int inProgress(
      PrintStream out, ExperimentId experimentId, String workflowId, String runId) {
    Map<String, Object> running = new LinkedHashMap<>();
    running.put("experimentId", experimentId.value());
    running.put("status", "IN_PROGRESS");
    running.put("workflowId", workflowId);
    running.put("runId", runId);
    out.println(Json.pretty(running));
    return ActivateCommand.IN_PROGRESS;
  }

  interface ClientCommand {
    int run(ActivationClient activations);
  }

  /**
   * Connects to Temporal with a short RPC retry (a command should fail fast when it is down), runs
   * {@code command}, and always disconnects. Temporal unreachable exits {@link
   * ActivateCommand#UNAVAILABLE}; another failure prints {@code failed}, the root cause, and exits
   * {@link ActivateCommand#FAILED}.
   */
  static int withClient(Env env, PrintStream err, String failed, ClientCommand command) {
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
      err.println(failed + ": " + Failures.rootMessage(e));
      return ActivateCommand.FAILED;
    } finally {
      stubs.shutdownNow();
      stubs.awaitTermination(2, TimeUnit.SECONDS);
    }
  }
}
