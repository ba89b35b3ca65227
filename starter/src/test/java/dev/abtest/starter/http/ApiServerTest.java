package dev.abtest.starter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.runtime.HttpSettings;
import dev.abtest.starter.auth.Authenticator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The generic edge over real HTTP on loopback, with routes of its own: what it says comes from the
 * routes (their parameter's name, their failure message), never from the activation domain.
 */
class ApiServerTest {
  private final HttpClient client = HttpClient.newHttpClient();
  private ScheduledExecutorService timer;
  private ApiServer server;

  @BeforeEach
  void start() {
    timer = Executors.newSingleThreadScheduledExecutor();
    server =
        new ApiServer(
            new ApiServer.Options(
                new HttpSettings("127.0.0.1", 0), 4, 1024, 16, Duration.ofSeconds(1), "tests"),
            Authenticator.none(),
            List.of(
                Route.get("/widgets/{widgetId}", request -> request.pathParameter()),
                Route.get(
                        "/broken",
                        request -> {
                          throw new IllegalStateException("secret detail");
                        })
                    .failingWith("Failed to list widgets"),
                Route.get(
                    "/plain-broken",
                    request -> {
                      throw new ApiError(ErrorCode.INTERNAL);
                    })),
            null,
            timer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
    timer.shutdownNow();
  }

  @Test
  void aPathSegmentThatIsNotUtf8IsA400InTheJsonShape() throws Exception {
    HttpResponse<String> reply = get("/widgets/%E0%A4");

    assertThat(reply.statusCode()).isEqualTo(400);
    assertThat(Json.mapper().readTree(reply.body()).path("code").asText())
        .isEqualTo("INVALID_REQUEST");
  }

  @Test
  void theParameterIsNamedByTheRoutesTemplate() {
    // What a 400 for an undecodable segment names (Jetty refuses most such targets first).
    assertThat(Route.get("/widgets/{widgetId}", request -> null).parameterName())
        .isEqualTo("widgetId");
    assertThat(Route.get("/widgets/{widgetId}/parts", request -> null).match("/widgets/w1/parts"))
        .isEqualTo("w1");
    assertThat(Route.get("/widgets", request -> null).parameterName()).isNull();
  }

  @Test
  void theParameterIsDecoded() throws Exception {
    HttpResponse<String> reply = get("/widgets/a%20b");

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(reply.body()).path("data").asText()).isEqualTo("a b");
  }

  @Test
  void anUnexpectedFailureSaysTheRoutesMessageAndNoDetail() throws Exception {
    HttpResponse<String> reply = get("/broken");

    assertThat(reply.statusCode()).isEqualTo(500);
    JsonNode body = Json.mapper().readTree(reply.body());
    assertThat(body.path("error").asText()).isEqualTo("Failed to list widgets");
    assertThat(body.path("code").asText()).isEqualTo("INTERNAL");
    assertThat(reply.body()).doesNotContain("secret detail").doesNotContain("IllegalState");
  }

  @Test
  void aRouteWithoutAFailureMessageSaysAGenericOne() throws Exception {
    HttpResponse<String> reply = get("/plain-broken");

    assertThat(reply.statusCode()).isEqualTo(500);
    assertThat(Json.mapper().readTree(reply.body()).path("error").asText())
        .isEqualTo("Internal server error");
  }

  @Test
  void aTemplateWithTwoParametersOrAPartialSegmentIsRefused() {
    assertThatThrownBy(() -> Route.get("/a/{x}/{y}", request -> null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Route.get("/a/x{y}", request -> null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
