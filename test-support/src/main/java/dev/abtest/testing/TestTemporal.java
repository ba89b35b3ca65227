package dev.abtest.testing;

import dev.abtest.activation.Activation;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.testing.TestWorkflowEnvironment;

/** Temporal's test environment as the activation workflow needs it. */
public final class TestTemporal {
  private TestTemporal() {}

  /**
   * Registers the activation's search attributes (ExperimentId, ActivationOutcome,
   * ActivationScheduledFor), which a real server gets from {@code SearchAttributeSetup}.
   */
  public static TestWorkflowEnvironment withSearchAttributes(TestWorkflowEnvironment env) {
    env.registerSearchAttribute(
        Activation.EXPERIMENT_ID.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute(
        Activation.ACTIVATION_OUTCOME.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    env.registerSearchAttribute(
        Activation.ACTIVATION_SCHEDULED_FOR.getName(),
        IndexedValueType.INDEXED_VALUE_TYPE_DATETIME);
    return env;
  }
}
