package dev.abtest.starter.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.starter.auth.Caller;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One request as a handler sees it: who sent it, when it arrived, the path parameter, the query and
 * a JSON body (already read, without holding a thread, by the server).
 */
public final class Request {
  private static final int MAX_PARSE_MESSAGE = 200;

  private final Caller caller;
  private final String pathParameter;
  private final String rawQuery;
  private final String contentType;
  private final String contentEncoding;
  private final byte[] body;
  private final long arrivalNanos;

  Request(
      Caller caller,
      String pathParameter,
      String rawQuery,
      String contentType,
      String contentEncoding,
      byte[] body,
      long arrivalNanos) {
    this.caller = caller;
    this.pathParameter = pathParameter;
    this.rawQuery = rawQuery;
    this.contentType = contentType;
    this.contentEncoding = contentEncoding;
    this.body = body;
    this.arrivalNanos = arrivalNanos;
  }

  public Caller caller() {
    return caller;
  }

  /** {@link System#nanoTime()} when the request's head arrived: wait budgets count from it. */
  public long arrivalNanos() {
    return arrivalNanos;
  }

  /**
   * The decoded parameter segment of a route such as {@code /activations/{experimentId}}, or null.
   */
  public String pathParameter() {
    return pathParameter;
  }

  /** Query parameters, percent-decoded as strict UTF-8; a repeated parameter is a 400. */
  public Map<String, String> query() {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String part : rawQuery.split("&")) {
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
   * The body as a JSON document: 415 unless the content type is JSON and the body is not encoded
   * ({@code Content-Encoding} other than identity), 400 unless it is well-formed UTF-8 without a
   * byte order mark holding strict JSON. (The server has answered 413 already for a large body.)
   */
  public JsonNode jsonBody() {
    requireJsonContentType(contentType);
    requireIdentityEncoding(contentEncoding);
    String text = strictUtf8(body);
    try {
      return Json.parseStrict(text);
    } catch (IOException e) {
      throw ApiError.invalid("body", "malformed JSON: " + parseProblem(e));
    }
  }

  /**
   * Decodes UTF-8 and refuses what a lenient decoder would let through: overlong forms, encoded
   * surrogates, invalid bytes (never replaced), a byte order mark. UTF-16 and UTF-32 bodies fail
   * here or, their NUL bytes being valid UTF-8, as JSON.
   */
  static String strictUtf8(byte[] bytes) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer chars;
    try {
      chars = decoder.decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw ApiError.invalid("body", "the body is not well-formed UTF-8");
    }
    String text = chars.toString();
    if (text.startsWith("\uFEFF")) {
      throw ApiError.invalid("body", "the body must not start with a byte order mark");
    }
    return text;
  }

  /** {@code application/json}, optionally with {@code charset=utf-8}; anything else is a 415. */
  static void requireJsonContentType(String contentType) {
    if (contentType == null) {
      throw unsupported("Content-Type", "Content-Type is missing; send application/json");
    }
    String[] parts = contentType.split(";");
    if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/json")) {
      throw unsupported("Content-Type", "Content-Type must be application/json");
    }
    for (int i = 1; i < parts.length; i++) {
      String param = parts[i].strip();
      int eq = param.indexOf('=');
      String name = (eq < 0 ? param : param.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
      if (name.equals("charset")) {
        String value = param.substring(eq + 1).strip().replace("\"", "").toLowerCase(Locale.ROOT);
        if (!value.equals("utf-8") && !value.equals("utf8")) {
          throw unsupported("Content-Type", "the only accepted charset is utf-8");
        }
      }
    }
  }

  /** No {@code Content-Encoding}, or {@code identity}: a gzip body is not read as JSON. */
  static void requireIdentityEncoding(String contentEncoding) {
    if (contentEncoding == null) {
      return;
    }
    for (String coding : contentEncoding.split(",")) {
      String value = coding.strip().toLowerCase(Locale.ROOT);
      if (!value.isEmpty() && !value.equals("identity")) {
        throw unsupported("Content-Encoding", "Content-Encoding is not accepted; send plain JSON");
      }
    }
  }

  private static ApiError unsupported(String field, String problem) {
    return new ApiError(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        ErrorCode.UNSUPPORTED_MEDIA_TYPE.message(),
        new ApiError.FieldProblem(field, problem),
        Map.of());
  }

  private static String decodeQuery(String raw, String field) {
    try {
      return PercentDecoding.decode(raw, true);
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
