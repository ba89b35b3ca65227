package dev.abtest.activation;

import java.util.List;

/**
 * What the validation activity found. {@code verdict} is VALID when the database activity should
 * try the transition; otherwise it is the outcome to return as is.
 */
public record ValidationReport(Verdict verdict, Experiment experiment, List<Violation> violations) {

  public enum Verdict {
    VALID,
    NOT_FOUND,
    ALREADY_ACTIVE,
    REJECTED
  }

  public ValidationReport {
    violations = violations == null ? List.of() : List.copyOf(violations);
  }
}
