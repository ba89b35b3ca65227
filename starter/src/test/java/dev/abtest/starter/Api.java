package dev.abtest.starter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** A real HTTP client for one running starter. */
final class Api {
  static final String ACTIVATE = "/api/nous/ab-testing/experiments/activate";
  static final String ACTIVATIONS = "/api/nous/ab-testing/experiments/activations";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A response: status, headers and the body parsed as JSON (null when it is not JSON). */
  record Reply(int status, JsonNode body, HttpResponse<String> raw) {
    String code() {
      return body == null || body.get("code") == null ? null : body.get("code").asText();
    }

    String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  private final URI base;
  private final HttpClient client;

  Api(URI base) {
    this.base = base;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  URI base() {
    return base;
  }

  HttpClient client() {
    return client;
  }

  Reply activate(String experimentId, String token) {
    return post(ACTIVATE, "{\"experimentId\":" + quote(experimentId) + "}", token);
  }

  Reply post(String path, String body, String token) {
    return send(
        request(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
            .build());
  }

  Reply get(String path, String token) {
    return send(request(path, token).GET().build());
  }

  HttpRequest.Builder request(String path, String token) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  Reply send(HttpRequest request) {
    try {
      return reply(client.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static Reply reply(HttpResponse<String> response) {
    JsonNode body = null;
    try {
      body =
          response.body() == null || response.body().isEmpty()
              ? null
              : JSON.readTree(response.body());
    } catch (IOException notJson) {
      // left null: the assertion on the body reports it
    }
    return new Reply(response.statusCode(), body, response);
  }

  static String quote(String value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
