package dev.abtest.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Temporal dev server's own Prometheus endpoint ({@code start-dev} serves one on a free port
 * and prints it in its banner, which lands in its log): how many requests each of its services
 * (frontend, history, matching) served and how many persistence (SQLite) operations it did, with
 * their summed latency, by operation. Counters only; {@link #delta} turns two scrapes into what one
 * scenario cost. The {@code temporal_system} namespace (the server's own background workflows) is
 * left out.
 */
final class ServerMetrics {
  private static final Pattern BANNER = Pattern.compile("Metrics:\\s+(http://\\S+/metrics)");
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^(service_requests|service_latency_sum|persistence_requests"
              + "|persistence_latency_sum)\\{([^}]*)}\\s+(\\S+)$");
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  private final URI uri;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ServerMetrics(URI uri) {
    this.uri = uri;
  }

  /** The endpoint named in the dev server's log, if it printed one. */
  static Optional<ServerMetrics> fromLog(Path log) {
    try {
      Matcher m = BANNER.matcher(Files.readString(log));
      String last = null;
      while (m.find()) {
        last = m.group(1); // the log is appended to: the newest banner wins
      }
      return Optional.ofNullable(last).map(u -> new ServerMetrics(URI.create(u)));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  URI uri() {
    return uri;
  }

  /**
   * One scrape: {@code "<metric> <service> <operation>"} → value (requests as counts, latency sums
   * in seconds), summed over the other labels; empty when the endpoint does not answer.
   */
  Map<String, Double> scrape() {
    Map<String, Double> out = new TreeMap<>();
    try {
      String body =
          http.send(
                  HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      for (String line : body.split("\n")) {
        Matcher m = SAMPLE.matcher(line.strip());
        if (!m.matches()) {
          continue;
        }
        Map<String, String> labels = new TreeMap<>();
        Matcher l = LABEL.matcher(m.group(2));
        while (l.find()) {
          labels.put(l.group(1), l.group(2));
        }
        if ("temporal_system".equals(labels.get("namespace"))) {
          continue;
        }
        String key =
            m.group(1)
                + " "
                + labels.getOrDefault("service_name", "?")
                + " "
                + labels.getOrDefault("operation", "?");
        out.merge(key, Double.parseDouble(m.group(3)), Double::sum);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    return out;
  }

  /** {@code after - before}, leaving out what did not move. */
  static Map<String, Double> delta(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Double> out = new TreeMap<>();
    after.forEach(
        (k, v) -> {
          double d = v - before.getOrDefault(k, 0.0);
          if (d > 1e-9) {
            out.put(k, d);
          }
        });
    return out;
  }
}
