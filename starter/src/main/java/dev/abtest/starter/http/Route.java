package dev.abtest.starter.http;

/**
 * One endpoint: a method, a path (with at most one {@code {name}} segment for a path parameter),
 * its handler, and what a 500 on it says ({@link #failingWith}). Every route of this edge requires
 * the caller to be authenticated.
 *
 * @param failureMessage the {@code error} of an INTERNAL answer that carries no message of its own
 */
public record Route(String method, String path, Handler handler, String failureMessage) {

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

  public Route {
    int open = path.indexOf('{');
    if (open >= 0
        && (path.indexOf('}', open) < 0
            || path.indexOf('{', open + 1) >= 0
            || path.lastIndexOf('/', open) != open - 1)) {
      throw new IllegalArgumentException(
          "a route has at most one parameter, a whole segment such as /{name}: " + path);
    }
  }

  public static Route post(String path, Handler handler) {
    return new Route("POST", path, handler, ErrorCode.INTERNAL.message());
  }

  public static Route get(String path, Handler handler) {
    return new Route("GET", path, handler, ErrorCode.INTERNAL.message());
  }

  public static Route delete(String path, Handler handler) {
    return new Route("DELETE", path, handler, ErrorCode.INTERNAL.message());
  }

  /** This route, saying {@code message} when it fails unexpectedly (500). */
  public Route failingWith(String message) {
    return new Route(method, path, handler, message);
  }

  /** The route's method, or HEAD on a GET route. */
  boolean allows(String requestMethod) {
    return method.equals(requestMethod) || method.equals("GET") && requestMethod.equals("HEAD");
  }

  boolean hasParameter() {
    return path.indexOf('{') >= 0;
  }

  /**
   * The name of the path parameter ({@code experimentId} in {@code /a/{experimentId}}), or null.
   */
  String parameterName() {
    int open = path.indexOf('{');
    return open < 0 ? null : path.substring(open + 1, path.indexOf('}', open));
  }

  /** The raw (still percent-encoded) parameter when the raw path matches, or null. */
  String match(String rawPath) {
    if (!hasParameter()) {
      return path.equals(rawPath) ? "" : null;
    }
    int at = path.indexOf('{');
    String prefix = path.substring(0, at);
    String suffix = path.substring(path.indexOf('}', at) + 1);
    if (!rawPath.startsWith(prefix)
        || !rawPath.endsWith(suffix)
        || rawPath.length() < prefix.length() + suffix.length()) {
      return null;
    }
    String rest = rawPath.substring(prefix.length(), rawPath.length() - suffix.length());
    return rest.isEmpty() || rest.indexOf('/') >= 0 ? null : rest;
  }
}
