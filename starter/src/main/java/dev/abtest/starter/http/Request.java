package dev.abtest.starter.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.abtest.starter.auth.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** One request as a handler sees it: who sent it, the path parameter, the query and a JSON body. */
public final class Request {
  private static final int MAX_PARSE_MESSAGE = 200;

  private final HttpExchange exchange;
  private final Caller caller;
  private final String pathParameter;
  private final int bodyLimit;

  Request(HttpExchange exchange, Caller caller, String pathParameter, int bodyLimit) {
    this.exchange = exchange;
    this.caller = caller;
    this.pathParameter = pathParameter;
    this.bodyLimit = bodyLimit;
  }

  public Caller caller() {
    return caller;
  }

  /** The decoded {@code {id}} segment of a route such as {@code /activations/{id}}, or null. */
  public String pathParameter() {
    return pathParameter;
  }

  /** Query parameters, percent-decoded; a repeated parameter is a 400. */
  public Map<String, String> query() {
    String raw = exchange.getRequestURI().getRawQuery();
    Map<String, String> params = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return params;
    }
    for (String part : raw.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = decodeQuery(eq < 0 ? part : part.substring(0, eq), "query");
      String value = eq < 0 ? "" : decodeQuery(part.substring(eq + 1), name);
      if (params.put(name, value) != null) {
        throw ApiError.invalid(name, name + " is given more than once");
      }
    }
    return params;
  }

  /**
   * The body as a JSON document: 415 unless the content type is JSON, 413 when it is larger than
   * the limit (by its declared length or as it is read, chunked or not), 400 when it is not strict
   * JSON.
   */
  public JsonNode jsonBody() {
    requireJsonContentType(exchange.getRequestHeaders().getFirst("Content-Type"));
    byte[] body = readBody();
    try {
      return Json.parseStrict(body);
    } catch (IOException e) {
      throw ApiError.invalid("body", "malformed JSON: " + parseProblem(e));
    }
  }

  private byte[] readBody() {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      long length;
      try {
        length = Long.parseLong(declared.strip());
      } catch (NumberFormatException e) {
        throw ApiError.invalid("Content-Length", "Content-Length is not a number");
      }
      if (length > bodyLimit) {
        throw tooLarge();
      }
    }
    byte[] buffer = new byte[bodyLimit + 1];
    int filled = 0;
    try (InputStream in = exchange.getRequestBody()) {
      while (filled < buffer.length) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          break;
        }
        filled += n;
      }
    } catch (IOException e) {
      throw ApiError.invalid("body", "the body could not be read completely");
    }
    if (filled > bodyLimit) {
      throw tooLarge();
    }
    return java.util.Arrays.copyOf(buffer, filled);
  }

  private ApiError tooLarge() {
    return new ApiError(
        ErrorCode.PAYLOAD_TOO_LARGE,
        ErrorCode.PAYLOAD_TOO_LARGE.message(),
        Map.of("limitBytes", bodyLimit),
        Map.of("Connection", "close"));
  }

  /** {@code application/json}, optionally with {@code charset=utf-8}; anything else is a 415. */
  static void requireJsonContentType(String contentType) {
    if (contentType == null) {
      throw unsupported("Content-Type is missing; send application/json");
    }
    String[] parts = contentType.split(";");
    if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json")) {
      throw unsupported("Content-Type must be application/json");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].strip();
      int eq = param.indexOf('=');
      String name = (eq < 0 ? param : param.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      if (name.equals("charset")) {
        String value = param.substring(eq + 1).strip().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!value.equals("utf-8") && !value.equals("utf8")) {
          throw unsupported("the only accepted charset is utf-8");
        }
      }
    }
  }

  private static ApiError unsupported(String problem) {
    return new ApiError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE.message(),
        new ApiError.FieldProblem("Content-Type", problem),
        Map.of());
  }

  private static String decodeQuery(String raw, String field) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(field, "malformed percent-encoding");
    }
  }

  private static String parseProblem(IOException e) {
    String message =
        e instanceof com.fasterxml.jackson.core.JacksonException jackson
            ? jackson.getOriginalMessage()
            : e.getMessage();
    if (message == null) {
      return "unreadable";
    }
    message = message.replaceAll("\\p{Cntrl}", " ");
    return message.length() > MAX_PARSE_MESSAGE
        ? message.substring(0, MAX_PARSE_MESSAGE) + "..."
        : message;
  }
}
