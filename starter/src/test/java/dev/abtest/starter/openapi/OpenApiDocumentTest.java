package dev.abtest.starter.openapi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.abtest.runtime.HttpSettings;
import dev.abtest.runtime.OpsEndpoints;
import dev.abtest.starter.auth.AuthException;
import dev.abtest.starter.http.ActivationEndpoints;
import dev.abtest.starter.http.ApiServer;
import dev.abtest.starter.http.ErrorCode;
import dev.abtest.starter.http.HistoryEndpoint;
import dev.abtest.starter.http.Route;
import dev.abtest.starter.http.ScheduleEndpoints;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The published document and the code say the same: every route the starter serves is an operation
 * of the document and the other way round, and every status each can answer is documented with the
 * error code the code sends with it, and nothing more.
 */
class OpenApiDocumentTest {
  private static final JsonNode DOCUMENT = parse(OpenApiDocument.bytes());

  /**
   * The authenticated routes as the starter wires them (StarterApp), read from the endpoints' own
   * route tables. The one place to change when the HTTP server changes.
   */
  private static List<Route> apiRoutes() {
    List<Route> routes = new ArrayList<>(new ActivationEndpoints(null, null, null).routes());
    routes.add(new HistoryEndpoint(null).route());
    return routes;
  }

  /** The unauthenticated paths mounted beside them (GET and HEAD only). */
  private static final List<String> PUBLIC_PATHS =
      List.of(
          OpsEndpoints.HEALTH_PATH,
          OpsEndpoints.READY_PATH,
          OpsEndpoints.METRICS_PATH,
          OpenApiDocument.PATH);

  /**
   * What the server itself answers on any authenticated route before or around its handler (see
   * ApiServer.answer and authenticate): a bad token, a missing role, another method, an unexpected
   * failure, no token keys.
   */
  private static final Set<ErrorCode> EVERY_API_ROUTE =
      Set.of(
          ErrorCode.UNAUTHENTICATED,
          ErrorCode.FORBIDDEN,
          ErrorCode.METHOD_NOT_ALLOWED,
          ErrorCode.INTERNAL,
          ErrorCode.UNAVAILABLE,
          ErrorCode.REQUEST_TIMEOUT,
          ErrorCode.HEADERS_TOO_LARGE);

  /** What each handler throws beyond those (ActivationEndpoints, HistoryEndpoint, Request). */
  private static final Map<String, Set<ErrorCode>> HANDLER_CODES =
      Map.of(
          "POST " + ActivationEndpoints.ACTIVATE_PATH,
          Set.of(
              ErrorCode.IN_PROGRESS,
              ErrorCode.INVALID_REQUEST,
              ErrorCode.NOT_FOUND,
              ErrorCode.ALREADY_ACTIVE,
              ErrorCode.PAYLOAD_TOO_LARGE,
              ErrorCode.UNSUPPORTED_MEDIA_TYPE,
              ErrorCode.REJECTED),
          "GET " + ActivationEndpoints.STATUS_PATH,
          Set.of(ErrorCode.INVALID_REQUEST, ErrorCode.NOT_FOUND),
          "GET " + ActivationEndpoints.ACTIVATIONS_PATH,
          Set.of(ErrorCode.INVALID_REQUEST),
          "DELETE " + ScheduleEndpoints.CANCEL_PATH,
          Set.of(ErrorCode.INVALID_REQUEST, ErrorCode.NOT_FOUND),
          "GET " + ScheduleEndpoints.SCHEDULES_PATH,
          Set.of(ErrorCode.INVALID_REQUEST));

  @Test
  void isOpenApi31WithTheBearerScheme() {
    assertThat(DOCUMENT.path("openapi").asText()).isEqualTo("3.1.0");
    JsonNode bearer = DOCUMENT.at("/components/securitySchemes/bearer");
    assertThat(bearer.path("type").asText()).isEqualTo("http");
    assertThat(bearer.path("scheme").asText()).isEqualTo("bearer");
    assertThat(DOCUMENT.at("/security/0").has("bearer")).isTrue();
  }

  @Test
  void documentsEveryRouteOfTheCodeAndNoOther() {
    Set<String> code = new TreeSet<>();
    apiRoutes().forEach(route -> code.add(route.method() + " " + template(route.path())));
    PUBLIC_PATHS.forEach(path -> code.add("GET " + path));

    assertThat(documentedOperations().keySet()).isEqualTo(code);
  }

  @Test
  void documentsExactlyTheStatusesEachRouteCanAnswer() {
    Map<String, Set<Integer>> expected = new TreeMap<>();
    for (Route route : apiRoutes()) {
      String key = route.method() + " " + route.path();
      assertThat(HANDLER_CODES).as("what %s can answer", key).containsKey(key);
      Set<Integer> statuses = new TreeSet<>(Set.of(200));
      Stream.concat(EVERY_API_ROUTE.stream(), HANDLER_CODES.get(key).stream())
          .forEach(code -> statuses.add(code.status()));
      expected.put(route.method() + " " + template(route.path()), statuses);
    }
    for (String path : PUBLIC_PATHS) {
      expected.put(
          "GET " + path,
          path.equals(OpsEndpoints.READY_PATH) ? Set.of(200, 405, 503) : Set.of(200, 405));
    }

    Map<String, Set<Integer>> documented = new TreeMap<>();
    documentedOperations()
        .forEach(
            (operation, node) -> {
              Set<Integer> statuses = new TreeSet<>();
              node.path("responses")
                  .fieldNames()
                  .forEachRemaining(s -> statuses.add(Integer.valueOf(s)));
              documented.put(operation, statuses);
            });
    assertThat(documented).isEqualTo(expected);
  }

  @Test
  void everyErrorCodeIsDocumentedWithItsOwnStatus() {
    Set<String> enumerated = new TreeSet<>();
    DOCUMENT
        .at("/components/schemas/Error/properties/code/enum")
        .forEach(n -> enumerated.add(n.asText()));
    assertThat(enumerated)
        .isEqualTo(Arrays.stream(ErrorCode.values()).map(Enum::name).collect(Collectors.toSet()));

    Set<ErrorCode> documented = new TreeSet<>();
    for (Map.Entry<String, JsonNode> operation : documentedOperations().entrySet()) {
      if (!operation.getKey().startsWith("GET /api")
          && !operation.getKey().startsWith("POST /api")) {
        continue;
      }
      Iterator<Map.Entry<String, JsonNode>> responses =
          operation.getValue().path("responses").fields();
      while (responses.hasNext()) {
        Map.Entry<String, JsonNode> response = responses.next();
        int status = Integer.parseInt(response.getKey());
        if (status == 200) {
          continue;
        }
        JsonNode schema = resolve(response.getValue()).at("/content/application~1json/schema");
        // A 202 is a scheduled success or the IN_PROGRESS error: the error is one alternative.
        for (JsonNode alternative : schema.path("oneOf")) {
          if (alternative.has("allOf")) {
            schema = alternative;
          }
        }
        JsonNode code = schema.at("/allOf/1/properties/code/const");
        assertThat(code.isTextual())
            .as("%s %d names its code", operation.getKey(), status)
            .isTrue();
        ErrorCode errorCode = ErrorCode.valueOf(code.asText());
        assertThat(errorCode.status())
            .as("%s %d is sent with %s", operation.getKey(), status, errorCode)
            .isEqualTo(status);
        documented.add(errorCode);
      }
    }
    assertThat(documented).containsExactlyInAnyOrder(ErrorCode.values());
  }

  @Test
  void isServedAtItsPathWithoutAuthentication() throws Exception {
    ApiServer server =
        new ApiServer(
            new ApiServer.Options(
                new HttpSettings("127.0.0.1", 0), 4, 1024, 16, Duration.ofSeconds(1), "tests"),
            authorization -> {
              throw AuthException.unauthenticated("no token accepted here");
            },
            List.of(),
            null,
            Executors.newSingleThreadScheduledExecutor());
    server.mount(OpenApiDocument.PATH, OpenApiDocument.endpoint());
    server.start();
    try {
      HttpClient client = HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<byte[]> got =
          client.send(
              HttpRequest.newBuilder(URI.create(base + OpenApiDocument.PATH)).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertThat(got.statusCode()).isEqualTo(200);
      assertThat(got.headers().firstValue("Content-Type")).hasValue("application/json");
      assertThat(got.body()).isEqualTo(OpenApiDocument.bytes());

      HttpResponse<String> longer =
          client.send(
              HttpRequest.newBuilder(URI.create(base + OpenApiDocument.PATH + "x")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(longer.statusCode()).isEqualTo(404);
      assertThat(longer.body()).contains("\"code\":\"NOT_FOUND\"");
      HttpResponse<String> post =
          client.send(
              HttpRequest.newBuilder(URI.create(base + OpenApiDocument.PATH))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    } finally {
      server.close();
    }
  }

  /** "METHOD /path/{}" → its operation object. */
  private static Map<String, JsonNode> documentedOperations() {
    Map<String, JsonNode> operations = new TreeMap<>();
    DOCUMENT
        .path("paths")
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        method ->
                            operations.put(
                                method.getKey().toUpperCase() + " " + template(path.getKey()),
                                method.getValue())));
    return operations;
  }

  private static JsonNode resolve(JsonNode node) {
    JsonNode ref = node.get("$ref");
    return ref == null ? node : DOCUMENT.at(ref.asText().substring(1));
  }

  /** Path parameters named alike, so {@code {id}} and {@code {experimentId}} compare equal. */
  private static String template(String path) {
    return path.replaceAll("\\{[^}]*}", "{}");
  }

  private static JsonNode parse(byte[] bytes) {
    try {
      return new ObjectMapper().readTree(bytes);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
