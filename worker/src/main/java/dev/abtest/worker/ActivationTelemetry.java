package dev.abtest.worker;

import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.Decision;
import dev.abtest.activation.ExperimentId;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.events.DeliveryResult;
import dev.abtest.activation.events.EventDelivery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.MDC;

/**
 * Puts {@code experimentId} in the MDC of every workflow and activity line (the Temporal SDK
 * already puts the workflow id, run id and activity attempt there, which {@code Logging} writes as
 * {@code workflowId}, {@code runId} and {@code activityAttempt}), and counts:
 *
 * <ul>
 *   <li>{@code activation_activity_attempts_total{activity, result}}: every activity attempt,
 *       {@code result} = success or failure (a failed attempt is retried or ends the activation);
 *   <li>{@code activations_total{outcome}}: one per finished activation, by {@code Outcome}, or
 *       {@code FAILED} when its retries ran out. Counted when the workflow returns, outside replay,
 *       so a replay (a query, a worker restart) never counts an activation twice.
 *   <li>{@code activation_events_total{type, result}}: one per delivery run (an event to one URL)
 *       when it ends, {@code result} = delivered, or failed once its retry budget ran out.
 * </ul>
 */
public final class ActivationTelemetry extends WorkerInterceptorBase {
  public static final String MDC_EXPERIMENT_ID = "experimentId";
  public static final String FAILED_OUTCOME = "FAILED";
  public static final String EVENT_DELIVERED = "delivered";
  public static final String EVENT_FAILED = "failed";

  private final MeterRegistry registry;

  public ActivationTelemetry(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public WorkflowInboundCallsInterceptor interceptWorkflow(WorkflowInboundCallsInterceptor next) {
    return new WorkflowInboundCallsInterceptorBase(next) {
      @Override
      public WorkflowOutput execute(WorkflowInput input) {
        String experimentId = experimentId(input.getArguments());
        if (experimentId != null) {
          // The workflow's root thread keeps its MDC for the run's lifetime; the SDK clears it at
          // the end.
          MDC.put(MDC_EXPERIMENT_ID, experimentId);
        }
        EventDelivery delivery = delivery(input.getArguments());
        WorkflowOutput output;
        try {
          output = super.execute(input);
        } catch (TemporalFailure failure) {
          if (delivery != null) {
            countEvent(delivery, EVENT_FAILED);
          } else {
            countActivation(FAILED_OUTCOME);
          }
          throw failure;
        }
        if (output.getResult() instanceof ActivationResult result) {
          countActivation(result.outcome().name());
        } else if (delivery != null && output.getResult() instanceof DeliveryResult) {
          countEvent(delivery, EVENT_DELIVERED);
        }
        return output;
      }
    };
  }

  @Override
  public ActivityInboundCallsInterceptor interceptActivity(ActivityInboundCallsInterceptor next) {
    return new ActivityInboundCallsInterceptorBase(next) {
      private ActivityExecutionContext context;

      @Override
      public void init(ActivityExecutionContext context) {
        this.context = context;
        super.init(context);
      }

      @Override
      public ActivityOutput execute(ActivityInput input) {
        String activity = context == null ? "unknown" : context.getInfo().getActivityType();
        String experimentId = experimentId(input.getArguments());
        if (experimentId != null) {
          MDC.put(MDC_EXPERIMENT_ID, experimentId);
        }
        try {
          ActivityOutput output = super.execute(input);
          countAttempt(activity, "success");
          return output;
        } catch (RuntimeException | Error e) {
          countAttempt(activity, "failure");
          throw e;
        } finally {
          MDC.remove(MDC_EXPERIMENT_ID);
        }
      }
    };
  }

  private void countActivation(String outcome) {
    // Workflow code: a replay re-runs it, so count only the live execution.
    if (!Workflow.isReplaying()) {
      Counter.builder("activations")
          .description("Finished activations by outcome")
          .tag("outcome", outcome)
          .register(registry)
          .increment();
    }
  }

  private void countEvent(EventDelivery delivery, String result) {
    // Workflow code as well: a delivery's run counts once, when it ends live.
    if (!Workflow.isReplaying()) {
      Counter.builder("activation.events")
          .description("Activation event deliveries (one per event and URL) by type and result")
          .tag("type", delivery.event().type().wireName())
          .tag("result", result)
          .register(registry)
          .increment();
    }
  }

  private static EventDelivery delivery(Object[] arguments) {
    return arguments != null && arguments.length > 0 && arguments[0] instanceof EventDelivery d
        ? d
        : null;
  }

  private void countAttempt(String activity, String result) {
    Counter.builder("activation.activity.attempts")
        .description("Activity attempts by activity type and result")
        .tag("activity", activity)
        .tag("result", result)
        .register(registry)
        .increment();
  }

  /**
   * The experiment id of an activity's input: a request, a snapshot write, a decision or a bare id.
   */
  private static String experimentId(Object[] arguments) {
    if (arguments == null || arguments.length == 0) {
      return null;
    }
    Object first = arguments[0];
    String id = null;
    if (first instanceof ActivationRequest request) {
      id = request.experimentId();
    } else if (first instanceof SnapshotWrite write) {
      id = write.experimentId();
    } else if (first instanceof Decision decision) {
      id = decision.experimentId();
    } else if (first instanceof EventDelivery delivery && delivery.event().data() != null) {
      id = delivery.event().data().experimentId();
    } else if (first instanceof String text) {
      id = text;
    }
    // Raw input from any client: only an id that obeys the rule becomes a log field.
    return ExperimentId.tryParse(id).map(ExperimentId::value).orElse(null);
  }
}
