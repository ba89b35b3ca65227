package dev.abtest.testing;

import dev.abtest.activation.ActivationContract;
import dev.abtest.runtime.SearchAttributeSetup;
import io.temporal.testing.TestWorkflowEnvironment;

/** Temporal's test environment as the activation workflow needs it. */
public final class TestTemporal {
  private TestTemporal() {}

  /**
   * Registers the activation's search attributes, the same list ({@link
   * ActivationContract#SEARCH_ATTRIBUTES}) the worker makes sure a real server has.
   */
  public static TestWorkflowEnvironment withSearchAttributes(TestWorkflowEnvironment env) {
    SearchAttributeSetup.types(ActivationContract.SEARCH_ATTRIBUTES)
        .forEach(env::registerSearchAttribute);
    return env;
  }
}
