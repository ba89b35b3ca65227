package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpsHttpTest {
  private final HttpClient http = HttpClient.newHttpClient();
  private Metrics metrics;
  private Readiness readiness;
  private OpsHttp server;

  @BeforeEach
  void start() {
    metrics = new Metrics("test");
    // No caching, so that a flipped check shows on the very next request.
    readiness = new Readiness(Duration.ofMillis(300), Duration.ZERO);
    server = OpsHttp.start(new HttpSettings("127.0.0.1", 0), new OpsEndpoints(metrics, readiness));
  }

  @AfterEach
  void stop() {
    server.close();
    readiness.close();
    metrics.close();
  }

  @Test
  void healthzAnswersUpWhileTheProcessIsAlive() throws Exception {
    HttpResponse<String> response = get("/healthz");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).isEqualTo("{\"status\":\"UP\"}");
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void readyzFollowsItsChecksAndListsEachOne() throws Exception {
    AtomicBoolean databaseUp = new AtomicBoolean(true);
    readiness.add("database", databaseUp::get).add("temporal", () -> true);

    HttpResponse<String> ready = get("/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    assertThat(ready.body())
        .isEqualTo("{\"status\":\"UP\",\"checks\":{\"database\":\"UP\",\"temporal\":\"UP\"}}");

    databaseUp.set(false);
    HttpResponse<String> notReady = get("/readyz");
    assertThat(notReady.statusCode()).isEqualTo(503);
    assertThat(notReady.body())
        .isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"database\":\"DOWN\",\"temporal\":\"UP\"}}");

    databaseUp.set(true);
    assertThat(get("/readyz").statusCode()).isEqualTo(200);
  }

  @Test
  void aCheckThatThrowsIsDownAndOneThatHangsTimesOut() throws Exception {
    readiness
        .add(
            "broken",
            () -> {
              throw new IllegalStateException("boom");
            })
        .add(
            "slow",
            () -> {
              try {
                Thread.sleep(5_000);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return true;
            });
    long started = System.nanoTime();
    HttpResponse<String> response = get("/readyz");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.body()).contains("\"broken\":\"DOWN\"").contains("\"slow\":\"TIMEOUT\"");
    assertThat(response.body()).doesNotContain("boom");
  }

  @Test
  void withoutAnyCheckTheProcessIsNotReady() throws Exception {
    assertThat(get("/readyz").statusCode()).isEqualTo(503);
  }

  @Test
  void aReportIsReusedWithinTheCacheTime() {
    AtomicInteger calls = new AtomicInteger();
    long[] now = {0};
    try (Readiness cached =
        new Readiness(Duration.ofSeconds(1), Duration.ofSeconds(1), () -> now[0])) {
      cached.add("counted", () -> calls.incrementAndGet() > 0);
      assertThat(cached.isReady()).isTrue();
      now[0] += Duration.ofMillis(500).toNanos();
      assertThat(cached.isReady()).isTrue();
      assertThat(calls).hasValue(1);
      now[0] += Duration.ofMillis(600).toNanos();
      assertThat(cached.isReady()).isTrue();
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void metricsServesThePrometheusTextFormatWithJvmAndApplicationMeters() throws Exception {
    Counter.builder("activations")
        .tag("outcome", "ACTIVATED")
        .register(metrics.registry())
        .increment();
    HttpResponse<String> response = get("/metrics");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(response.body())
        .contains("# TYPE activations_total counter")
        .contains("activations_total{application=\"test\",outcome=\"ACTIVATED\"} 1.0")
        .contains("jvm_memory_used_bytes");
  }

  @Test
  void otherMethodsAreRefused() throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(URI.create(server.baseUrl() + "/healthz"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.headers().firstValue("Allow")).hasValue("GET, HEAD");
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
