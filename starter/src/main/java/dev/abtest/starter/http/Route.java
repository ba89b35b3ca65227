package dev.abtest.starter.http;

/**
 * One endpoint: a method, a path (with one {@code {id}} segment for a path parameter) and its
 * handler. Every route of this edge requires the caller to be authenticated.
 */
public record Route(String method, String path, Handler handler) {
  private static final String PARAMETER = "{id}";

  /**
   * Answers one request; the returned value is the {@code data} of a 200. A handler that waits on
   * something (a workflow result) returns a {@link java.util.concurrent.CompletionStage} of that
   * value instead, and holds no thread meanwhile. A handler may block briefly (one call to Temporal
   * or the database): it runs on the server's bounded worker pool, not a selector.
   */
  @FunctionalInterface
  public interface Handler {
    Object handle(Request request) throws Exception;
  }

  public static Route post(String path, Handler handler) {
    return new Route("POST", path, handler);
  }

  public static Route get(String path, Handler handler) {
    return new Route("GET", path, handler);
  }

  /** The route's method, or HEAD on a GET route. */
  boolean allows(String requestMethod) {
    return method.equals(requestMethod) || method.equals("GET") && requestMethod.equals("HEAD");
  }

  public static Route delete(String path, Handler handler) {
    return new Route("DELETE", path, handler);
  }

  boolean hasParameter() {
    return path.contains("/" + PARAMETER);
  }

  /** The raw (still percent-encoded) parameter when the raw path matches, or null. */
  String match(String rawPath) {
    if (!hasParameter()) {
      return path.equals(rawPath) ? "" : null;
    }
    int at = path.indexOf(PARAMETER);
    String prefix = path.substring(0, at);
    String suffix = path.substring(at + PARAMETER.length());
    if (!rawPath.startsWith(prefix)
        || !rawPath.endsWith(suffix)
        || rawPath.length() < prefix.length() + suffix.length()) {
      return null;
    }
    String rest = rawPath.substring(prefix.length(), rawPath.length() - suffix.length());
    return rest.isEmpty() || rest.indexOf('/') >= 0 ? null : rest;
  }
}
