package dev.abtest.worker;

import dev.abtest.activation.ActivationContract;
import dev.abtest.activation.ActivationPolicy;
import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.HttpSettings;
import dev.abtest.runtime.Logging;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.store.DatabaseSettings;
import dev.abtest.worker.events.WebhookSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the worker process is configured with, read once at start from the environment.
 *
 * <table>
 *   <caption>Variables</caption>
 *   <tr><th>variable</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>POSTGRESQL_URL</td><td>(required)</td><td>{@code postgresql://user:password@host:5432/db}
 *       or {@code jdbc:postgresql://...}</td></tr>
 *   <tr><td>DB_POOL_SIZE</td><td>10 (or the URL's {@code connection_limit})</td><td>connections</td></tr>
 *   <tr><td>TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*, TEMPORAL_PROFILE
 *       </td><td>127.0.0.1:7233, default</td><td>Temporal's environment configuration</td></tr>
 *   <tr><td>TEMPORAL_TASK_QUEUE</td><td>experiment-activation</td><td>the queue polled</td></tr>
 *   <tr><td>HTTP_HOST, HTTP_PORT</td><td>127.0.0.1, 8081</td><td>/healthz, /readyz, /metrics</td></tr>
 *   <tr><td>ACTIVATION_RETRY_BUDGET</td><td>1h</td><td>how long a transient database error is
 *       retried before the activation fails</td></tr>
 *   <tr><td>SHUTDOWN_DRAIN_TIMEOUT</td><td>30s</td><td>how long SIGTERM waits for in-flight
 *       tasks</td></tr>
 *   <tr><td>WORKER_MAX_CONCURRENT_ACTIVITIES</td><td>the pool size</td><td>activities at once</td></tr>
 *   <tr><td>WORKER_MAX_CONCURRENT_WORKFLOW_TASKS</td><td>10</td><td>workflow tasks at once</td></tr>
 *   <tr><td>ACTIVATION_WEBHOOK_URLS</td><td>(none)</td><td>comma-separated http(s) URLs each
 *       activation event is delivered to</td></tr>
 *   <tr><td>ACTIVATION_WEBHOOK_SECRET</td><td>(required with URLs)</td><td>{@code whsec_<base64>},
 *       at least 24 bytes: the Standard Webhooks signing key</td></tr>
 *   <tr><td>ACTIVATION_WEBHOOK_RETRY_BUDGET</td><td>24h</td><td>how long a delivery is retried
 *       </td></tr>
 *   <tr><td>LOG_LEVEL, LOG_FORMAT</td><td>info, json</td><td>see {@link Logging}</td></tr>
 * </table>
 */
public record WorkerConfig(
    DatabaseSettings database,
    TemporalSettings temporal,
    HttpSettings http,
    Logging.Settings logging,
    Duration retryBudget,
    Duration drainTimeout,
    int maxConcurrentActivities,
    int maxConcurrentWorkflowTasks,
    WebhookSettings webhooks) {

  /**
   * The worker serves only operations endpoints; 8081 lets it run beside the starter (8080) on one
   * host with default settings.
   */
  public static final int DEFAULT_HTTP_PORT = 8081;

  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS = 10;

  public WorkerConfig {
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(temporal, "temporal");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(logging, "logging");
    Objects.requireNonNull(retryBudget, "retryBudget");
    Objects.requireNonNull(drainTimeout, "drainTimeout");
    Objects.requireNonNull(webhooks, "webhooks");
  }

  /**
   * Reads and validates every setting.
   *
   * @throws ConfigException whose message is one line naming the variable and never holding a
   *     secret
   */
  public static WorkerConfig fromEnv(Env env) {
    Logging.Settings logging = Logging.Settings.fromEnv(env);
    DatabaseSettings database = database(env);
    TemporalSettings temporal =
        TemporalSettings.fromEnv(env, ActivationContract.DEFAULT_TASK_QUEUE);
    HttpSettings http = HttpSettings.fromEnv(env, DEFAULT_HTTP_PORT);

    Duration retryBudget =
        env.duration("ACTIVATION_RETRY_BUDGET", ActivationPolicy.DEFAULT_RETRY_BUDGET);
    Duration attemptTimeout = ActivationPolicy.defaults().attemptTimeout();
    if (retryBudget.compareTo(attemptTimeout) < 0) {
      throw new ConfigException(
          "ACTIVATION_RETRY_BUDGET must be at least one attempt ("
              + attemptTimeout.toSeconds()
              + "s), got "
              + env.optional("ACTIVATION_RETRY_BUDGET").orElse(""));
    }
    Duration drainTimeout = env.duration("SHUTDOWN_DRAIN_TIMEOUT", DEFAULT_DRAIN_TIMEOUT);
    // One connection per running activity, so no activity waits for the pool.
    int activities = env.integer("WORKER_MAX_CONCURRENT_ACTIVITIES", database.poolSize(), 1, 1_000);
    int workflowTasks =
        env.integer(
            "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS",
            DEFAULT_MAX_CONCURRENT_WORKFLOW_TASKS,
            2,
            1_000);
    WebhookSettings webhooks = WebhookSettings.fromEnv(env);
    return new WorkerConfig(
        database,
        temporal,
        http,
        logging,
        retryBudget,
        drainTimeout,
        activities,
        workflowTasks,
        webhooks);
  }

  private static DatabaseSettings database(Env env) {
    String url =
        env.required(
            "POSTGRESQL_URL", "the database URL, e.g. postgresql://user:password@host:5432/db");
    DatabaseSettings settings;
    try {
      settings = DatabaseSettings.parse(url);
    } catch (IllegalArgumentException e) {
      // The parser's messages never quote the URL, so the password cannot leak through them.
      throw new ConfigException("POSTGRESQL_URL is invalid: " + e.getMessage());
    }
    if (env.optional("DB_POOL_SIZE").isPresent()) {
      settings = settings.withPoolSize(env.integer("DB_POOL_SIZE", settings.poolSize(), 1, 200));
    }
    return settings;
  }

  /** The activity timeouts and retries handed to every workflow instance. */
  public ActivationPolicy policy() {
    return ActivationPolicy.withRetryBudget(retryBudget);
  }

  /**
   * Secrets to mask in every log line: the database password, the Temporal API key and the webhook
   * signing secret.
   */
  public List<String> secrets() {
    List<String> secrets = new ArrayList<>();
    if (database.password() != null) {
      secrets.add(database.password());
    }
    secrets.addAll(temporal.secrets());
    secrets.addAll(webhooks.secrets());
    return secrets;
  }

  @Override
  public String toString() {
    // Records print every component; DatabaseSettings and describe() keep secrets out.
    return "WorkerConfig[database="
        + database
        + ", "
        + temporal.describe()
        + ", http="
        + http.host()
        + ":"
        + http.port()
        + ", retryBudget="
        + retryBudget
        + ", drainTimeout="
        + drainTimeout
        + ", maxConcurrentActivities="
        + maxConcurrentActivities
        + ", maxConcurrentWorkflowTasks="
        + maxConcurrentWorkflowTasks
        + ", "
        + webhooks
        + "]";
  }
}
