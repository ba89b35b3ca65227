package dev.abtest.starter.openapi;

import dev.abtest.runtime.OpsEndpoints;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

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

  /** The endpoint the server mounts at {@link #PATH} (GET and HEAD, exact path). */
  public static Supplier<OpsEndpoints.Response> endpoint() {
    String text = new String(BYTES, StandardCharsets.UTF_8);
    return () -> new OpsEndpoints.Response(200, CONTENT_TYPE, text);
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
