package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void aTemporalMeterWithAndWithoutUpdateNameIsOneMeterThatCountsBoth() throws Exception {
    try (Metrics metrics = new Metrics("starter")) {
      Timer.builder("temporal_long_request_latency")
          .tags("operation", "GetWorkflowExecutionHistory", "status_code", "none")
          .register(metrics.registry())
          .record(Duration.ofMillis(5));
      Timer.builder("temporal_long_request_latency")
          .tags("operation", "ExecuteMultiOperation", "status_code", "none", "update_name", "x")
          .register(metrics.registry())
          .record(Duration.ofMillis(7));

      String scrape = metrics.scrape();
      assertThat(scrape)
          .contains("temporal_long_request_latency_seconds_count{")
          .contains("operation=\"GetWorkflowExecutionHistory\"")
          .contains("operation=\"ExecuteMultiOperation\"")
          .doesNotContain("update_name");
    }
  }
}
