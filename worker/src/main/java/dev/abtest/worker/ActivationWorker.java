package dev.abtest.worker;

import dev.abtest.activation.ActivationPolicy;
import dev.abtest.activation.ActivationWorkflows;
import dev.abtest.activation.ActivationWriteActivities;
import dev.abtest.activation.DecisionAuditActivities;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.events.ActivationEventActivities;
import dev.abtest.activation.events.WebhookTargets;
import dev.abtest.store.ActivationStore;
import dev.abtest.worker.activation.ActivationWriteActivitiesImpl;
import dev.abtest.worker.validation.ValidationActivitiesImpl;
import io.temporal.worker.Worker;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * What a worker of this project polls with, registered in one place: the workflow types ({@link
 * ActivationWorkflows}) and the activity implementations. {@link WorkerApp}, the benchmark and the
 * tests each call {@link #register} once; tests and the benchmark wrap an activity to hook or time
 * it.
 */
public final class ActivationWorker {
  private ActivationWorker() {}

  /**
   * The activity implementations. {@code writes} and {@code audit} are usually one object (the
   * store activities implement both); {@code events} is null on a worker without a signing key, so
   * deliveries wait for a worker that can sign.
   */
  public record Activities(
      ValidationActivities validation,
      ActivationWriteActivities writes,
      DecisionAuditActivities audit,
      ActivationEventActivities events) {

    /** The real activities over {@code store}; {@code clock} decides the end-date rule. */
    public static Activities of(ActivationStore store, Clock clock) {
      ActivationWriteActivitiesImpl writes = new ActivationWriteActivitiesImpl(store);
      return new Activities(new ValidationActivitiesImpl(store, clock), writes, writes, null);
    }

    public Activities withValidation(UnaryOperator<ValidationActivities> wrap) {
      return new Activities(wrap.apply(validation), writes, audit, events);
    }

    /**
     * Other write and audit activities; {@code writes} must not implement the audit interface too
     * unless it is {@code audit} itself (an activity type is registered once).
     */
    public Activities withWrites(
        ActivationWriteActivities newWrites, DecisionAuditActivities newAudit) {
      return new Activities(validation, newWrites, newAudit, events);
    }

    public Activities withEvents(ActivationEventActivities newEvents) {
      return new Activities(validation, writes, audit, newEvents);
    }

    private Object[] implementations() {
      Set<Object> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
      List<Object> all = new ArrayList<>();
      for (Object implementation : new Object[] {validation, writes, audit, events}) {
        if (implementation != null && distinct.add(implementation)) {
          all.add(implementation);
        }
      }
      return all.toArray();
    }
  }

  /** Registers the workflow types and the activities on {@code worker}. */
  public static void register(
      Worker worker, ActivationPolicy policy, WebhookTargets webhooks, Activities activities) {
    ActivationWorkflows.register(worker, policy, webhooks);
    worker.registerActivitiesImplementations(activities.implementations());
  }
}
