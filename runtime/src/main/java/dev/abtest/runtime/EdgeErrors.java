package dev.abtest.runtime;

import java.nio.charset.StandardCharsets;

/**
 * The contract's error body, {@code {"success":false,"error":"...","code":"..."}}, for answers the
 * HTTP server gives on its own (malformed HTTP, oversized headers, timeouts, unknown paths), so
 * that no answer ever comes from a built-in HTML page.
 */
public final class EdgeErrors {
  public static final String CONTENT_TYPE = "application/json; charset=utf-8";

  private EdgeErrors() {}

  /** The code and message the edge uses for an HTTP status it sets itself. */
  public record Error(int status, String code, String message) {
    public byte[] body() {
      return EdgeErrors.body(code, message);
    }
  }

  public static Error forStatus(int status) {
    return switch (status) {
      case 400 -> new Error(400, "INVALID_REQUEST", "Invalid request format");
      case 404 -> new Error(404, "NOT_FOUND", "Route not found");
      case 405 -> new Error(405, "METHOD_NOT_ALLOWED", "Method not allowed");
      case 408 -> new Error(408, "REQUEST_TIMEOUT", "The request was not received in time");
      case 413 -> new Error(413, "PAYLOAD_TOO_LARGE", "Request body too large");
      case 415 -> new Error(415, "UNSUPPORTED_MEDIA_TYPE", "Unsupported media type");
      case 431 -> new Error(431, "HEADERS_TOO_LARGE", "Request headers too large");
      case 503 -> new Error(503, "UNAVAILABLE", "Service unavailable");
      default ->
          status >= 400 && status < 500
              ? new Error(status, "INVALID_REQUEST", "Invalid request format")
              : new Error(status, "INTERNAL", "Internal error");
    };
  }

  /** The error body; {@code code} and {@code message} are ours, never a client's text. */
  public static byte[] body(String code, String message) {
    return ("{\"success\":false,\"error\":\""
            + jsonText(message)
            + "\",\"code\":\""
            + jsonText(code)
            + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String jsonText(String text) {
    StringBuilder out = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
