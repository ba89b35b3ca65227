package dev.abtest.starter.auth;

/** Turns a request's Authorization header into a {@link Caller} allowed to activate, or refuses. */
public interface Authenticator {
  /**
   * @param authorization the Authorization header, or null when absent
   * @throws AuthException when the caller is not authenticated or lacks the required role
   */
  Caller authenticate(String authorization) throws AuthException;

  /** {@code AUTH_MODE=none}: everyone is an anonymous caller. */
  static Authenticator none() {
    return authorization -> Caller.ANONYMOUS;
  }
}
