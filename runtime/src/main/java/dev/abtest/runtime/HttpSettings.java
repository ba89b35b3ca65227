package dev.abtest.runtime;

/** Where a process serves HTTP: {@code HTTP_HOST} (default 127.0.0.1) and {@code HTTP_PORT}. */
public record HttpSettings(String host, int port) {
  public static final String DEFAULT_HOST = "127.0.0.1";

  public static HttpSettings fromEnv(Env env, int defaultPort) {
    return new HttpSettings(
        env.string("HTTP_HOST", DEFAULT_HOST), env.port("HTTP_PORT", defaultPort));
  }
}
