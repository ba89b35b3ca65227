/**
 * Process support shared by the worker and the starter. A {@code main} reads like this:
 *
 * <pre>{@code
 * Env env = Env.system();
 * MyConfig config = MyConfig.fromEnv(env);          // ConfigException: print its message, exit 2
 * Logging logging = Logging.configure(config.logging(), System.out); // LOG_LEVEL, LOG_FORMAT
 * logging.redact(config.database().password());    // masked in every line from now on
 * Metrics metrics = new Metrics("starter");        // Prometheus registry + JVM meters
 * WorkflowServiceStubs stubs =
 *     temporal.connectLazily(options -> options.setMetricsScope(metrics.temporalScope()));
 * Readiness readiness = new Readiness()
 *     .add("database", () -> database.isReachable(Readiness.DEFAULT_TIMEOUT))
 *     .add(TemporalProbe.check(stubs, Readiness.DEFAULT_TIMEOUT));
 * OpsEndpoints ops = new OpsEndpoints(metrics, readiness);
 * ops.mount(httpServer);                           // or OpsHttp.start(httpSettings, ops)
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.abtest.runtime.Env}: typed reads of environment variables; every error names the
 *       variable.
 *   <li>{@link dev.abtest.runtime.Logging}: JSON lines (or text) on stdout, MDC as fields,
 *       Temporal's MDC keys renamed to workflowId/runId/activityAttempt, secrets masked by {@link
 *       dev.abtest.runtime.Redaction}.
 *   <li>{@link dev.abtest.runtime.Metrics}: one Prometheus registry per process; the Temporal SDK
 *       reports into it through {@link dev.abtest.runtime.Metrics#temporalScope()}.
 *   <li>{@link dev.abtest.runtime.Readiness}, {@link dev.abtest.runtime.OpsEndpoints}, {@link
 *       dev.abtest.runtime.OpsHttp}: {@code /healthz}, {@code /readyz}, {@code /metrics}.
 *   <li>{@link dev.abtest.runtime.TemporalSettings}, {@link dev.abtest.runtime.TemporalProbe},
 *       {@link dev.abtest.runtime.SearchAttributeSetup}: reaching Temporal and preparing its
 *       namespace (the caller names the task queue's default and the search attributes: this module
 *       knows no domain).
 * </ul>
 */
package dev.abtest.runtime;
