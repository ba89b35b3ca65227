package dev.abtest.starter.auth;

/**
 * A request that cannot go on: no valid token (401), a valid token without the role (403), or the
 * verification keys cannot be fetched (503: the token may be fine, so the caller should retry, not
 * log in again). The reason is for logs, never for the response.
 */
public final class AuthException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why the request stops. */
  public enum Kind {
    UNAUTHENTICATED,
    FORBIDDEN,
    KEYS_UNAVAILABLE
  }

  private final Kind kind;

  private AuthException(Kind kind, String reason) {
    super(reason, null, false, false);
    this.kind = kind;
  }

  public static AuthException unauthenticated(String reason) {
    return new AuthException(Kind.UNAUTHENTICATED, reason);
  }

  public static AuthException forbidden(String reason) {
    return new AuthException(Kind.FORBIDDEN, reason);
  }

  public static AuthException keysUnavailable(String reason) {
    return new AuthException(Kind.KEYS_UNAVAILABLE, reason);
  }

  public Kind kind() {
    return kind;
  }
}
