package dev.abtest.starter.http;

/**
 * The contract's error codes, each with its HTTP status and default message (the contract's text,
 * used by the activation endpoints). The generic server ({@link ApiServer}, {@link BodyReader},
 * {@link Request}) never relies on a domain default: it gives its own messages, and INTERNAL's
 * default says nothing about what failed: each route says that ({@link Route#failingWith}).
 */
public enum ErrorCode {
  IN_PROGRESS(202, "Activation is in progress"),
  INVALID_REQUEST(400, "Invalid request format"),
  UNAUTHENTICATED(401, "Missing or invalid bearer token"),
  FORBIDDEN(403, "The token lacks the role required for this operation"),
  NOT_FOUND(404, "Experiment not found"),
  METHOD_NOT_ALLOWED(405, "Method not allowed"),
  REQUEST_TIMEOUT(408, "The request was not received in time"),
  ALREADY_ACTIVE(409, "Experiment is already active"),
  PAYLOAD_TOO_LARGE(413, "Request body too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "Content-Type must be application/json"),
  REJECTED(422, "Experiment cannot be activated"),
  HEADERS_TOO_LARGE(431, "Request headers too large"),
  INTERNAL(500, "Internal server error"),
  UNAVAILABLE(503, "Activation service unavailable");

  private final int status;
  private final String message;

  ErrorCode(int status, String message) {
    this.status = status;
    this.message = message;
  }

  public int status() {
    return status;
  }

  public String message() {
    return message;
  }
}
