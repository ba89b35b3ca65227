package dev.abtest.activation;

import dev.abtest.activation.events.ActivationEventActivities;

/**
 * One mock of each activity interface the activation workflow calls, for workflow unit tests on the
 * test server (the only tests that may mock an activity). Created without annotations, so the
 * worker registers the interfaces' activity types, not the mocks'.
 */
final class ActivityMocks {
  final ValidationActivities validation = WorkflowHarness.activityMock(ValidationActivities.class);
  final ActivationWriteActivities store =
      WorkflowHarness.activityMock(ActivationWriteActivities.class);
  final DecisionAuditActivities audit = WorkflowHarness.activityMock(DecisionAuditActivities.class);
  final ActivationEventActivities delivery =
      WorkflowHarness.activityMock(ActivationEventActivities.class);

  /** Validation, write and audit: what an activation without webhooks runs. */
  Object[] withoutDelivery() {
    return new Object[] {validation, store, audit};
  }

  /** All four, for a worker that also delivers events. */
  Object[] all() {
    return new Object[] {validation, store, audit, delivery};
  }
}
