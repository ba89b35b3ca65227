package dev.abtest.starter.auth;

/**
 * A refused request: {@code forbidden} is false when there is no valid token (401), true when the
 * token is valid but lacks the role (403). The reason is for logs, never for the response.
 */
public final class AuthException extends Exception {
  private static final long serialVersionUID = 1L;

  private final boolean forbidden;

  private AuthException(boolean forbidden, String reason, Throwable cause) {
    super(reason, cause, false, false);
    this.forbidden = forbidden;
  }

  public static AuthException unauthenticated(String reason) {
    return new AuthException(false, reason, null);
  }

  public static AuthException unauthenticated(String reason, Throwable cause) {
    return new AuthException(false, reason, cause);
  }

  public static AuthException forbidden(String reason) {
    return new AuthException(true, reason, null);
  }

  public boolean forbidden() {
    return forbidden;
  }
}
