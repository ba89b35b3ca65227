package dev.abtest.starter;

import dev.abtest.activation.ActivationContract;
import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import dev.abtest.runtime.HttpSettings;
import dev.abtest.runtime.TemporalSettings;
import dev.abtest.starter.auth.AuthSettings;
import dev.abtest.store.DatabaseSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the HTTP starter reads from its environment, parsed and validated once at start. A bad
 * value is a {@link ConfigException} naming the variable.
 *
 * @param waitBudget how long a request waits for the workflow result before answering 202
 * @param startTimeout how long a request tries to reach Temporal before answering 503
 * @param database the audit history's read pool (small: it serves only the history route)
 * @param httpThreads the worker pool running handlers ({@code HTTP_THREADS}): each blocks at most
 *     for one short call (start a workflow, read the history); waiting holds no thread
 * @param acceptTimeout how long an immediate activation waits for a worker to accept its {@code
 *     activateNow} update before it joins the run and waits for its result instead
 * @param maxWaiting API requests in progress at once ({@code HTTP_MAX_WAITING}); beyond, 503
 */
public record StarterConfig(
    HttpSettings http,
    TemporalSettings temporal,
    AuthSettings auth,
    DatabaseSettings database,
    Duration waitBudget,
    Duration startTimeout,
    Duration acceptTimeout,
    int bodyLimitBytes,
    int httpThreads,
    int maxWaiting,
    Duration drainTimeout) {

  public static final int DEFAULT_PORT = 8080;
  public static final Duration DEFAULT_WAIT_BUDGET = Duration.ofSeconds(10);
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_ACCEPT_TIMEOUT = Duration.ofSeconds(1);
  public static final int DEFAULT_BODY_LIMIT = 16 * 1024;
  public static final int DEFAULT_THREADS = 32;
  public static final int DEFAULT_MAX_WAITING = 10_000;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);
  static final int HISTORY_POOL_SIZE = 4;
  static final int MAX_POOL_SIZE = 200;

  public static StarterConfig fromEnv(Env env) {
    return new StarterConfig(
        HttpSettings.fromEnv(env, DEFAULT_PORT),
        TemporalSettings.fromEnv(env, ActivationContract.DEFAULT_TASK_QUEUE),
        AuthSettings.fromEnv(env),
        database(env),
        env.duration("ACTIVATION_WAIT_BUDGET", DEFAULT_WAIT_BUDGET),
        env.duration("ACTIVATION_START_TIMEOUT", DEFAULT_START_TIMEOUT),
        env.duration("ACTIVATION_ACCEPT_TIMEOUT", DEFAULT_ACCEPT_TIMEOUT),
        env.integer("HTTP_MAX_BODY_BYTES", DEFAULT_BODY_LIMIT, 64, 1024 * 1024),
        env.integer("HTTP_THREADS", DEFAULT_THREADS, 4, 4096),
        env.integer("HTTP_MAX_WAITING", DEFAULT_MAX_WAITING, 1, 1_000_000),
        env.duration("SHUTDOWN_DRAIN_TIMEOUT", DEFAULT_DRAIN_TIMEOUT));
  }

  /**
   * {@code POSTGRESQL_URL}, with {@code DB_POOL_SIZE} connections when set (as in the worker), else
   * a small pool: the starter only reads the audit history.
   */
  public static DatabaseSettings database(Env env) {
    String url =
        env.required(
            "POSTGRESQL_URL",
            "the database holding the activation audit record"
                + " (postgresql://user:password@host:5432/db)");
    DatabaseSettings settings;
    try {
      settings = DatabaseSettings.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("POSTGRESQL_URL: " + e.getMessage());
    }
    return settings.withPoolSize(
        env.integer(
            "DB_POOL_SIZE", Math.min(settings.poolSize(), HISTORY_POOL_SIZE), 1, MAX_POOL_SIZE));
  }

  /**
   * Secrets to mask in every log line: the database password, the Temporal API key and the JWT
   * shared secret (as the worker masks its own).
   */
  public List<String> secrets() {
    List<String> secrets = new ArrayList<>();
    if (database.password() != null) {
      secrets.add(database.password());
    }
    secrets.addAll(temporal.secrets());
    if (auth.secret() != null) {
      secrets.add(auth.secret());
    }
    return secrets;
  }

  /** One line for the start-up log: what it talks to and how it decides; no secrets. */
  public String describe() {
    return temporal.describe()
        + "; history from "
        + database.redactedUrl()
        + "; wait budget "
        + waitBudget.toMillis()
        + " ms; "
        + auth.describe();
  }
}
