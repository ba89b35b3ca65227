package dev.abtest.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Where the database is and how to pool connections to it. {@code jdbcUrl} never holds credentials:
 * they are kept in {@code user} and {@code password}, and {@link #toString()} masks the password,
 * so a settings object can be logged.
 */
public record DatabaseSettings(
    String jdbcUrl, String user, String password, int poolSize, Duration connectionTimeout) {

  public static final int DEFAULT_POOL_SIZE = 10;

  /** How long a caller waits for a connection before failing: short, so an outage fails fast. */
  public static final Duration DEFAULT_CONNECTION_TIMEOUT = Duration.ofSeconds(5);

  private static final String JDBC_PREFIX = "jdbc:postgresql:";
  private static final String EXPECTED =
      "expected postgresql://user:password@host:5432/db or"
          + " jdbc:postgresql://host:5432/db?user=...&password=...";

  public DatabaseSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(connectionTimeout, "connectionTimeout");
    if (!jdbcUrl.startsWith(JDBC_PREFIX)) {
      throw new IllegalArgumentException("jdbcUrl must start with " + JDBC_PREFIX);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("poolSize must be at least 1, got " + poolSize);
    }
    if (connectionTimeout.isNegative() || connectionTimeout.isZero()) {
      throw new IllegalArgumentException("connectionTimeout must be positive");
    }
  }

  /**
   * Parses the contract's {@code POSTGRESQL_URL}: either {@code
   * postgresql://user:password@host:port/db ?params} (also {@code postgres://}; user and password
   * percent-decoded, port 5432 by default, query parameters passed to the driver; Prisma's {@code
   * schema} becomes {@code currentSchema} and {@code connection_limit} the pool size) or {@code
   * jdbc:postgresql://host:port/db?user=..&password=..}.
   *
   * @throws IllegalArgumentException with a one-line message that never contains the password
   */
  public static DatabaseSettings parse(String url) {
    if (url == null || url.isBlank()) {
      throw invalid("it is empty");
    }
    String trimmed = url.strip();
    if (trimmed.regionMatches(true, 0, JDBC_PREFIX, 0, JDBC_PREFIX.length())) {
      return parseJdbc(trimmed);
    }
    return parseLibpq(trimmed);
  }

  /** The same settings with another pool size. */
  public DatabaseSettings withPoolSize(int newPoolSize) {
    return new DatabaseSettings(jdbcUrl, user, password, newPoolSize, connectionTimeout);
  }

  /** The same settings with another connection timeout. */
  public DatabaseSettings withConnectionTimeout(Duration newTimeout) {
    return new DatabaseSettings(jdbcUrl, user, password, poolSize, newTimeout);
  }

  /** {@code host:port/db} (no scheme, credentials or parameters): what a log line may show. */
  public String redactedUrl() {
    String rest = jdbcUrl.substring(JDBC_PREFIX.length());
    int query = rest.indexOf('?');
    if (query >= 0) {
      rest = rest.substring(0, query);
    }
    return rest.startsWith("//") ? rest.substring(2) : rest;
  }

  @Override
  public String toString() {
    return "DatabaseSettings[url="
        + redactedUrl()
        + ", user="
        + user
        + ", password="
        + (password == null ? "<none>" : "*****")
        + ", poolSize="
        + poolSize
        + ", connectionTimeout="
        + connectionTimeout
        + "]";
  }

  private static DatabaseSettings parseLibpq(String url) {
    int schemeEnd = url.indexOf("://");
    String scheme = schemeEnd < 0 ? "" : url.substring(0, schemeEnd).toLowerCase();
    if (!scheme.equals("postgresql") && !scheme.equals("postgres")) {
      throw invalid("unsupported scheme");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // The exception's own message quotes the input, password included: never pass it on.
      throw invalid(
          "it is not a valid URL (percent-encode special characters in the user and password)");
    }
    if (uri.getHost() == null) {
      throw invalid("the host is missing or the port is not a number");
    }
    String path = uri.getRawPath();
    if (path == null || path.length() <= 1 || path.indexOf('/', 1) >= 0) {
      throw invalid("the database name is missing (.../db at the end)");
    }
    String database = decode(path.substring(1), "database name");
    if (database.isBlank()) {
      throw invalid("the database name is missing (.../db at the end)");
    }
    int port = uri.getPort() < 0 ? 5432 : uri.getPort();
    if (port == 0 || port > 65535) {
      throw invalid("the port must be between 1 and 65535");
    }

    String user = null;
    String password = null;
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null && !userInfo.isEmpty()) {
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon), "user");
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1), "password");
      if (user.isEmpty()) {
        user = null;
      }
    }

    int poolSize = DEFAULT_POOL_SIZE;
    List<String> params = new ArrayList<>();
    for (String[] param : queryParams(uri.getRawQuery())) {
      String name = param[0];
      switch (name) {
        // libpq and Prisma names for what the JDBC driver calls otherwise.
        case "schema" -> params.add("currentSchema=" + param[1]);
        case "application_name" -> params.add("ApplicationName=" + param[1]);
        case "connect_timeout" -> params.add("connectTimeout=" + param[1]);
        case "connection_limit" -> poolSize = parsePoolSize(param[1]);
        case "user" -> user = decode(param[1], "user");
        case "password" -> password = decode(param[1], "password");
        default -> params.add(name + (param[1] == null ? "" : "=" + param[1]));
      }
    }

    String host = uri.getHost();
    StringBuilder jdbc = new StringBuilder(JDBC_PREFIX).append("//").append(host);
    jdbc.append(':').append(port).append('/').append(encodePathSegment(database));
    if (!params.isEmpty()) {
      jdbc.append('?').append(String.join("&", params));
    }
    return new DatabaseSettings(
        jdbc.toString(), user, password, poolSize, DEFAULT_CONNECTION_TIMEOUT);
  }

  private static DatabaseSettings parseJdbc(String url) {
    String rest = url.substring(JDBC_PREFIX.length());
    int queryStart = rest.indexOf('?');
    String target = queryStart < 0 ? rest : rest.substring(0, queryStart);
    String query = queryStart < 0 ? null : rest.substring(queryStart + 1);
    if (target.isBlank() || target.equals("//") || target.startsWith("//") && target.length() < 3) {
      throw invalid("the host or database is missing");
    }
    if (target.indexOf('@') >= 0) {
      throw invalid("a jdbc:postgresql URL takes the user and password as ?user=..&password=..");
    }
    String user = null;
    String password = null;
    List<String> params = new ArrayList<>();
    for (String[] param : queryParams(query)) {
      switch (param[0]) {
        // The driver form-decodes its parameters ('+' is a space), so decode them the same way.
        case "user" -> user = formDecode(param[1], "user");
        case "password" -> password = formDecode(param[1], "password");
        default -> params.add(param[0] + (param[1] == null ? "" : "=" + param[1]));
      }
    }
    String jdbc =
        JDBC_PREFIX + target.strip() + (params.isEmpty() ? "" : "?" + String.join("&", params));
    return new DatabaseSettings(
        jdbc, user, password, DEFAULT_POOL_SIZE, DEFAULT_CONNECTION_TIMEOUT);
  }

  /**
   * Splits {@code a=1&b=2} into raw (still percent-encoded) name/value pairs; value null if absent.
   */
  private static List<String[]> queryParams(String rawQuery) {
    List<String[]> pairs = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return pairs;
    }
    for (String part : rawQuery.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      if (name.isEmpty()) {
        throw invalid("a query parameter has no name");
      }
      pairs.add(new String[] {name, eq < 0 ? null : part.substring(eq + 1)});
    }
    return pairs;
  }

  private static int parsePoolSize(String value) {
    try {
      int size = Integer.parseInt(value == null ? "" : value);
      if (size >= 1) {
        return size;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw invalid("connection_limit must be a positive whole number");
  }

  /** Percent-decodes a URL part; unlike form decoding, '+' stays a plus sign. */
  private static String decode(String raw, String what) {
    if (raw == null) {
      return "";
    }
    try {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw invalid("the " + what + " has a malformed percent-encoding");
    }
  }

  private static String formDecode(String raw, String what) {
    return decode(raw == null ? null : raw.replace("+", "%20"), what);
  }

  private static String encodePathSegment(String value) {
    StringBuilder out = new StringBuilder();
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (Character.isLetterOrDigit(c) && c < 128 || "-._~".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(String.format("%02X", c));
      }
    }
    return out.toString();
  }

  private static IllegalArgumentException invalid(String problem) {
    return new IllegalArgumentException("Invalid database URL: " + problem + "; " + EXPECTED);
  }
}
