package dev.abtest.starter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void instantsAreWrittenLikePrismaWithMilliseconds() {
    assertThat(Json.instant(Instant.parse("2026-11-25T12:00:00Z")))
        .isEqualTo("2026-11-25T12:00:00.000Z");
    assertThat(Json.instant(Instant.parse("2026-11-25T12:00:00.123456Z")))
        .isEqualTo("2026-11-25T12:00:00.123Z");
    assertThat(new String(Json.bytes(Map.of("at", Instant.parse("2026-01-02T03:04:05.6Z")))))
        .isEqualTo("{\"at\":\"2026-01-02T03:04:05.600Z\"}");
  }

  @Test
  void strictParsingRefusesDuplicatesTrailingTokensAndEmptyBodies() {
    for (String body : new String[] {"{\"a\":1,\"a\":2}", "{} {}", "{} x", "", "  "}) {
      assertThatThrownBy(() -> Json.parseStrict(body.getBytes(StandardCharsets.UTF_8)))
          .as(body)
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void contentTypeAcceptsJsonWithUtf8Only() {
    Request.requireJsonContentType("application/json");
    Request.requireJsonContentType("Application/JSON; charset=\"utf-8\"");
    for (String type :
        new String[] {
          "text/json", "application/json; charset=utf-16", "application/json-patch+json"
        }) {
      assertThatThrownBy(() -> Request.requireJsonContentType(type))
          .as(type)
          .isInstanceOfSatisfying(
              ApiError.class,
              e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_MEDIA_TYPE));
    }
  }
}
