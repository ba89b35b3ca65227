package dev.abtest.runtime;

import java.time.Duration;

/**
 * Where and how a process serves HTTP: {@code HTTP_HOST} (default 127.0.0.1), {@code HTTP_PORT},
 * {@code HTTP_READ_TIMEOUT} (headers, and a body, must arrive within it; default 10s), {@code
 * HTTP_IDLE_TIMEOUT} (an idle keep-alive connection is closed after it; default 30s) and {@code
 * HTTP_MAX_CONNECTIONS} (connections held open at once; more wait in the accept queue).
 */
public record HttpSettings(
    String host, int port, Duration readTimeout, Duration idleTimeout, int maxConnections) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(30);

  /** Above the starter's default of 10,000 waiting requests, below the usual 20,000-file limit. */
  public static final int DEFAULT_MAX_CONNECTIONS = 12_000;

  /** Headers (request line included) larger than this are refused with 431. */
  public static final int MAX_HEADER_BYTES = 16 * 1024;

  public HttpSettings(String host, int port) {
    this(host, port, DEFAULT_READ_TIMEOUT, DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_CONNECTIONS);
  }

  public static HttpSettings fromEnv(Env env, int defaultPort) {
    return new HttpSettings(
        env.string("HTTP_HOST", DEFAULT_HOST),
        env.port("HTTP_PORT", defaultPort),
        env.duration("HTTP_READ_TIMEOUT", DEFAULT_READ_TIMEOUT),
        env.duration("HTTP_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT),
        env.integer("HTTP_MAX_CONNECTIONS", DEFAULT_MAX_CONNECTIONS, 16, 1_000_000));
  }

  public HttpSettings withTimeouts(Duration read, Duration idle) {
    return new HttpSettings(host, port, read, idle, maxConnections);
  }
}
