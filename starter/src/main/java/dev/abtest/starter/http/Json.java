package dev.abtest.starter.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * The JSON the edge reads and writes. Reading is strict (duplicate keys and trailing tokens are
 * errors); writing renders instants the way Prisma's JSON does: {@code 2026-11-25T12:00:00.000Z}.
 */
public final class Json {
  private static final DateTimeFormatter PRISMA_INSTANT =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
          .addModule(new SimpleModule("prisma-instants").addSerializer(new InstantSerializer()))
          .build();

  private Json() {}

  /**
   * The shared mapper: thread-safe once configured, and never reconfigured after this class loads.
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Parses a whole document strictly; any syntax problem is an {@link IOException}. */
  public static JsonNode parseStrict(byte[] body) throws IOException {
    try (JsonParser parser = MAPPER.createParser(body)) {
      JsonNode node = MAPPER.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw new com.fasterxml.jackson.core.JsonParseException(parser, "empty body");
      }
      if (parser.nextToken() != null) {
        throw new com.fasterxml.jackson.core.JsonParseException(
            parser, "unexpected content after the JSON value");
      }
      return node;
    }
  }

  /** Parses a whole document, already decoded, strictly; any syntax problem is an IOException. */
  public static JsonNode parseStrict(String body) throws IOException {
    try (JsonParser parser = MAPPER.createParser(body)) {
      JsonNode node = MAPPER.readTree(parser);
      if (node == null || node.isMissingNode()) {
        throw new com.fasterxml.jackson.core.JsonParseException(parser, "empty body");
      }
      if (parser.nextToken() != null) {
        throw new com.fasterxml.jackson.core.JsonParseException(
            parser, "unexpected content after the JSON value");
      }
      return node;
    }
  }

  public static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  public static String pretty(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot render JSON", e);
    }
  }

  /** Prisma's JSON form of a DateTime: UTC, always with milliseconds. */
  public static String instant(Instant instant) {
    return PRISMA_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
  }

  private static final class InstantSerializer extends StdSerializer<Instant> {
    private static final long serialVersionUID = 1L;

    InstantSerializer() {
      super(Instant.class);
    }

    @Override
    public void serialize(Instant value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(instant(value));
    }
  }
}
