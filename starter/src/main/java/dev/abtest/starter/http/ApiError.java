package dev.abtest.starter.http;

import java.util.Map;

/**
 * An answer other than success, thrown by a handler and rendered by {@link ApiServer} as {@code
 * {"success":false,"error","code","details"}}. {@code details} is any JSON-able value or null.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final ErrorCode code;
  private final boolean ownMessage;
  private final transient Object details;
  private final transient Map<String, String> headers;

  public ApiError(ErrorCode code, String message, Object details, Map<String, String> headers) {
    this(code, message, details, headers, true);
  }

  private ApiError(
      ErrorCode code,
      String message,
      Object details,
      Map<String, String> headers,
      boolean ownMessage) {
    super(message, null, false, false);
    this.code = code;
    this.ownMessage = ownMessage;
    this.details = details;
    this.headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** With the code's default message (for INTERNAL: the route's, see {@link Route#failingWith}). */
  public ApiError(ErrorCode code, Object details) {
    this(code, code.message(), details, Map.of(), false);
  }

  public ApiError(ErrorCode code) {
    this(code, null);
  }

  /** 400 naming the field that was wrong. */
  public static ApiError invalid(String field, String problem) {
    return new ApiError(ErrorCode.INVALID_REQUEST, new FieldProblem(field, problem));
  }

  /** Whether the message was given, rather than the code's default. */
  public boolean hasOwnMessage() {
    return ownMessage;
  }

  public ErrorCode code() {
    return code;
  }

  public Object details() {
    return details;
  }

  public Map<String, String> headers() {
    return headers;
  }

  /** The {@code details} of a 400: which field, and what is wrong with it. */
  public record FieldProblem(String field, String problem) {}
}
