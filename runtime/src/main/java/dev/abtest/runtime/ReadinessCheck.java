package dev.abtest.runtime;

import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One named condition of readiness ("database", "temporal", "worker"). The probe answers whether
 * the dependency is usable now; it may block (a query, an RPC) because {@link Readiness} runs it
 * with a timeout, and an exception counts as not ready.
 */
public record ReadinessCheck(String name, BooleanSupplier probe) {
  public ReadinessCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(probe, "probe");
    if (!name.matches("[A-Za-z0-9_.-]+")) {
      throw new IllegalArgumentException("a check name is a simple word, got '" + name + "'");
    }
  }

  public static ReadinessCheck of(String name, BooleanSupplier probe) {
    return new ReadinessCheck(name, probe);
  }
}
