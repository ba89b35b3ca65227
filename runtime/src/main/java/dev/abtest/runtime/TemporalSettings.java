package dev.abtest.runtime;

import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.envconfig.ClientConfigProfile;
import io.temporal.envconfig.LoadClientConfigProfileOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * How to reach Temporal, read with Temporal's own environment configuration (TEMPORAL_ADDRESS,
 * TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE and the TOML profile
 * file), plus TEMPORAL_TASK_QUEUE (its default given by the caller) and TEMPORAL_RPC_TIMEOUT.
 */
public record TemporalSettings(ClientConfigProfile profile, String taskQueue, Duration rpcTimeout) {
  public static final String DEFAULT_ADDRESS = "127.0.0.1:7233";
  public static final String DEFAULT_NAMESPACE = "default";

  public TemporalSettings {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(taskQueue, "taskQueue");
    Objects.requireNonNull(rpcTimeout, "rpcTimeout");
  }

  /**
   * @param defaultTaskQueue the queue when {@code TEMPORAL_TASK_QUEUE} is not set
   */
  public static TemporalSettings fromEnv(Env env, String defaultTaskQueue) {
    ClientConfigProfile loaded;
    try {
      loaded =
          ClientConfigProfile.load(
              LoadClientConfigProfileOptions.newBuilder().setEnvOverrides(env.asMap()).build());
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "Temporal client configuration (TEMPORAL_* variables or profile file) is invalid: "
              + e.getMessage(),
          e);
    }
    ClientConfigProfile.Builder profile = loaded.toBuilder();
    String address = loaded.getAddress();
    if (address == null || address.isBlank()) {
      profile.setAddress(DEFAULT_ADDRESS);
    } else if (!address.matches("[^\\s/]+:\\d{1,5}|dns:///\\S+")) {
      throw new ConfigException(
          "TEMPORAL_ADDRESS must be host:port (for example 127.0.0.1:7233), got '" + address + "'");
    }
    if (loaded.getNamespace() == null || loaded.getNamespace().isBlank()) {
      profile.setNamespace(DEFAULT_NAMESPACE);
    }
    return new TemporalSettings(
        profile.build(),
        env.string("TEMPORAL_TASK_QUEUE", defaultTaskQueue),
        env.duration("TEMPORAL_RPC_TIMEOUT", Duration.ofSeconds(5)));
  }

  public String address() {
    return profile.getAddress();
  }

  public String namespace() {
    return profile.getNamespace();
  }

  /** Service stubs options from the profile, for callers that add metrics or interceptors. */
  public WorkflowServiceStubsOptions.Builder stubsOptions() {
    return WorkflowServiceStubsOptions.newBuilder(profile.toWorkflowServiceStubsOptions())
        .setRpcTimeout(rpcTimeout);
  }

  /**
   * Connects lazily with the profile's options as {@code customize} adjusts them (metrics,
   * retries): a process starts even while Temporal is down and reconnects when it is back, so
   * readiness, not start-up, reports the outage.
   */
  public WorkflowServiceStubs connectLazily(
      UnaryOperator<WorkflowServiceStubsOptions.Builder> customize) {
    return WorkflowServiceStubs.newServiceStubs(customize.apply(stubsOptions()).build());
  }

  /** Connects lazily with the profile's options as they are. */
  public WorkflowServiceStubs connectLazily() {
    return connectLazily(UnaryOperator.identity());
  }

  public WorkflowClient client(WorkflowServiceStubs stubs) {
    return WorkflowClient.newInstance(
        stubs,
        WorkflowClientOptions.newBuilder(profile.toWorkflowClientOptions())
            .setNamespace(namespace())
            .build());
  }

  /** What to mask in every log line: the API key, when there is one. */
  public List<String> secrets() {
    return profile.getApiKey() == null ? List.of() : List.of(profile.getApiKey());
  }

  /** For logs: address, namespace and queue, never the API key. */
  public String describe() {
    return "Temporal at "
        + address()
        + ", namespace "
        + namespace()
        + ", task queue "
        + taskQueue
        + (profile.getApiKey() != null ? ", with an API key" : "")
        + (profile.getTls() != null ? ", TLS" : "");
  }
}
