package dev.abtest.activation;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Records a run's decisions that write no experiment row (ALREADY_ACTIVE, REJECTED, SCHEDULED,
 * RESCHEDULED, CANCELLED) in the audit table; ACTIVATED is recorded by the write itself, in the
 * transaction of the transition. The worker's {@code ActivationWriteActivitiesImpl} implements it,
 * so registering that implementation registers this activity too.
 */
@ActivityInterface
public interface DecisionAuditActivities {
  /**
   * Records the decision for the calling workflow run. Idempotent per activity invocation: a
   * retried attempt finds the record its earlier attempt committed and adds none.
   */
  @ActivityMethod(name = "RecordActivationDecision")
  void recordDecision(Decision decision);
}
