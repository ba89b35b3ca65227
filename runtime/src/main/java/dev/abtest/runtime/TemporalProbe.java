package dev.abtest.runtime;

import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether the Temporal frontend answers: a {@code GetSystemInfo} call with a short deadline. */
public final class TemporalProbe {
  private static final Logger log = LoggerFactory.getLogger(TemporalProbe.class);

  private TemporalProbe() {}

  public static boolean isReachable(WorkflowServiceStubs stubs, Duration timeout) {
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return true;
    } catch (StatusRuntimeException e) {
      log.debug("Temporal not reachable: {}", e.getStatus().getCode());
      return false;
    }
  }

  /** A readiness check named "temporal". */
  public static ReadinessCheck check(WorkflowServiceStubs stubs, Duration timeout) {
    return ReadinessCheck.of("temporal", () -> isReachable(stubs, timeout));
  }
}
