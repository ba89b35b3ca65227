package dev.abtest.activation;

import java.util.Objects;

/** One broken activation rule: a stable code for machines and a message for people. */
public record Violation(ViolationCode code, String message) {
  public Violation {
    Objects.requireNonNull(code, "code");
    Objects.requireNonNull(message, "message");
  }
}
