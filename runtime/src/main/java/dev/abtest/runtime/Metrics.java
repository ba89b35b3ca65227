package dev.abtest.runtime;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process's metrics: one Prometheus registry holding JVM and process meters, the Temporal SDK's
 * metrics (through {@link #temporalScope}) and the application's own meters. One instance per
 * process (or per in-process component in the dev stack); {@link #scrape()} is the {@code /metrics}
 * body.
 */
public final class Metrics implements AutoCloseable {
  /** How often the Temporal SDK's tally scope pushes into the registry. */
  public static final Duration DEFAULT_TEMPORAL_REPORT_INTERVAL = Duration.ofSeconds(1);

  /** The Prometheus text exposition format (0.0.4), what {@link #scrape()} writes. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final Logger log = LoggerFactory.getLogger(Metrics.class);

  /** The tag the Temporal SDK adds to some of its request meters only. */
  static final String TEMPORAL_UPDATE_NAME_TAG = "update_name";

  private final PrometheusMeterRegistry registry;
  private final List<AutoCloseable> closeables = new ArrayList<>();

  /** A registry whose meters all carry {@code application=<application>} (e.g. "worker"). */
  public Metrics(String application) {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().commonTags("application", application);
    // The SDK tags its update calls (Update-With-Start is ExecuteMultiOperation) with update_name
    // and its other calls of the same meter without it; Prometheus needs one set of tag keys per
    // name and drops the meter that differs, so the update's latency would go unreported.
    registry.config().meterFilter(MeterFilter.ignoreTags(TEMPORAL_UPDATE_NAME_TAG));
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    closeables.add(gc);
  }

  /** Where application code registers its counters and timers. */
  public MeterRegistry registry() {
    return registry;
  }

  /** The Prometheus text format of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /**
   * A tally scope for {@code WorkflowServiceStubsOptions.Builder.setMetricsScope}: the Temporal SDK
   * reports through it, and its meters (named {@code temporal_...}) land in this registry every
   * {@code reportEvery}. Closed with this object.
   */
  public synchronized Scope temporalScope(Duration reportEvery) {
    Scope scope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(com.uber.m3.util.Duration.ofMillis(reportEvery.toMillis()));
    closeables.add(scope);
    return scope;
  }

  public Scope temporalScope() {
    return temporalScope(DEFAULT_TEMPORAL_REPORT_INTERVAL);
  }

  @Override
  public synchronized void close() {
    for (AutoCloseable closeable : closeables) {
      try {
        closeable.close();
      } catch (Exception e) {
        log.debug("Closing a metrics source failed: {}", e.toString());
      }
    }
    closeables.clear();
    registry.close();
  }
}
