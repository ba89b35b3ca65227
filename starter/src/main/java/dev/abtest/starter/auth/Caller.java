package dev.abtest.starter.auth;

import java.util.Set;

/** Who made a request: the token subject (null when authentication is off) and its roles. */
public record Caller(String subject, Set<String> roles) {
  public static final Caller ANONYMOUS = new Caller(null, Set.of());

  public Caller {
    roles = roles == null ? Set.of() : Set.copyOf(roles);
  }
}
