package dev.abtest.testing;

import dev.abtest.runtime.SearchAttributeSetup;
import io.temporal.testing.TestWorkflowEnvironment;

/** Temporal's test environment as the activation workflow needs it. */
public final class TestTemporal {
  private TestTemporal() {}

  /**
   * Registers the activation's search attributes, the same list {@link SearchAttributeSetup} makes
   * sure a real server has.
   */
  public static TestWorkflowEnvironment withSearchAttributes(TestWorkflowEnvironment env) {
    SearchAttributeSetup.ACTIVATION_ATTRIBUTES.forEach(env::registerSearchAttribute);
    return env;
  }
}
