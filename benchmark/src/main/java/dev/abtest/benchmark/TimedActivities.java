package dev.abtest.benchmark;

import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationWriteActivities;
import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionAuditActivities;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.WriteResult;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps the worker's real activities: times each call (the time spent inside the implementation,
 * without Temporal's dispatch), and remembers which workflow runs validated which experiment, to
 * count the runs a dedup storm started.
 */
final class TimedActivities {
  final Timing storeTime;
  final Timing validationTime;
  private final Map<String, Set<String>> runsByWorkflow = new ConcurrentHashMap<>();

  TimedActivities(int capacity) {
    this.storeTime = new Timing(capacity);
    this.validationTime = new Timing(capacity);
  }

  ValidationActivities validation(ValidationActivities delegate) {
    return new TimedValidation(delegate);
  }

  /** The write (timed) and the decision audit (passed through) of {@code delegate}. */
  <T extends ActivationWriteActivities & DecisionAuditActivities> TimedStore store(T delegate) {
    return new TimedStore(delegate, delegate);
  }

  /** How many distinct runs of {@code workflowId} executed the validation activity. */
  int runsOf(String workflowId) {
    return runsByWorkflow.getOrDefault(workflowId, Set.of()).size();
  }

  void reset() {
    storeTime.reset();
    validationTime.reset();
  }

  private final class TimedValidation implements ValidationActivities {
    private final ValidationActivities delegate;

    TimedValidation(ValidationActivities delegate) {
      this.delegate = delegate;
    }

    @Override
    public ValidationReport validate(String experimentId) {
      ActivityInfo info = Activity.getExecutionContext().getInfo();
      runsByWorkflow
          .computeIfAbsent(info.getWorkflowId(), k -> ConcurrentHashMap.newKeySet())
          .add(info.getRunId());
      long t0 = System.nanoTime();
      try {
        return delegate.validate(experimentId);
      } finally {
        validationTime.record(System.nanoTime() - t0);
      }
    }
  }

  final class TimedStore implements ActivationWriteActivities, DecisionAuditActivities {
    private final ActivationWriteActivities delegate;
    private final DecisionAuditActivities audit;

    TimedStore(ActivationWriteActivities delegate, DecisionAuditActivities audit) {
      this.delegate = delegate;
      this.audit = audit;
    }

    @Override
    public WriteResult writeSnapshot(SnapshotWrite write) {
      long t0 = System.nanoTime();
      try {
        return delegate.writeSnapshot(write);
      } finally {
        storeTime.record(System.nanoTime() - t0);
      }
    }

    @Override
    public void recordDecision(Decision decision) {
      audit.recordDecision(decision);
    }

    @Override
    public ActivationResult activate(ActivationRequest request) {
      long t0 = System.nanoTime();
      try {
        return delegate.activate(request);
      } finally {
        storeTime.record(System.nanoTime() - t0);
      }
    }
  }
}
