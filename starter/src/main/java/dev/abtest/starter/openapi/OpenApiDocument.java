package dev.abtest.starter.openapi;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The starter's published HTTP contract, {@code openapi.json} beside this class, served at {@code
 * GET /openapi.json} without authentication. The bytes are the resource as committed; {@code
 * OpenApiDocumentTest} keeps it in step with the routes and error codes.
 */
public final class OpenApiDocument {
  public static final String PATH = "/openapi.json";
  public static final String CONTENT_TYPE = "application/json";

  private static final byte[] BYTES = load();

  private OpenApiDocument() {}

  /** The document's bytes (UTF-8 JSON). */
  public static byte[] bytes() {
    return BYTES.clone();
  }

  /** GET and HEAD on exactly {@link #PATH}; 405 for other methods, 404 for longer paths. */
  public static HttpHandler handler() {
    return exchange -> {
      try (exchange) {
        String method = exchange.getRequestMethod();
        if (!exchange.getRequestURI().getRawPath().equals(PATH)) {
          send(exchange, 404, error("Route not found", "NOT_FOUND"));
        } else if (!method.equals("GET") && !method.equals("HEAD")) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          send(
              exchange,
              405,
              "{\"status\":\"METHOD_NOT_ALLOWED\"}".getBytes(StandardCharsets.UTF_8));
        } else {
          send(exchange, 200, BYTES);
        }
      }
    };
  }

  private static byte[] error(String message, String code) {
    return ("{\"success\":false,\"error\":\"" + message + "\",\"code\":\"" + code + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    if (exchange.getRequestMethod().equals("HEAD")) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static byte[] load() {
    try (InputStream in = OpenApiDocument.class.getResourceAsStream("openapi.json")) {
      if (in == null) {
        throw new IllegalStateException("openapi.json is missing from the starter's classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read openapi.json", e);
    }
  }
}
