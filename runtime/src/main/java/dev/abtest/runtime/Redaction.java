package dev.abtest.runtime;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * Masks secrets in text before it is written anywhere: values registered with {@link #secret} (the
 * database password, a Temporal API key) wherever they appear, plus anything shaped like a secret:
 * the password of a {@code scheme://user:password@host} URL, a {@code password=} parameter, and
 * JSON Web Tokens. Logging applies it to every line; thread-safe.
 */
public final class Redaction {
  public static final String MASK = "*****";

  // user:password@ inside a URL: keep the user, mask the password.
  private static final Pattern URL_PASSWORD = Pattern.compile("(://[^:/@\\s]*:)[^@\\s/]+@");
  // password=..., pwd=..., apiKey=... in query strings and key=value text, "password":"..." in
  // JSON.
  private static final Pattern PASSWORD_PARAM =
      Pattern.compile(
          "((?i:password|passwd|pwd|secret|api[_-]?key)(?:=|\"\\s*:\\s*\"))[^&\\s\"',;]+");
  // Three base64url segments, the first starting like a JSON object header: a JWT.
  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");

  // Short values would mask ordinary words ("pg" as a password): they are only caught by pattern.
  private static final int MIN_SECRET_LENGTH = 4;

  private final Set<String> secrets = new CopyOnWriteArraySet<>();

  /**
   * Masks {@code value} from now on wherever it appears; null, blank and very short values are
   * ignored.
   */
  public Redaction secret(String value) {
    if (value != null && value.strip().length() >= MIN_SECRET_LENGTH) {
      secrets.add(value);
    }
    return this;
  }

  /** The text with every known secret and secret-shaped part replaced by {@value #MASK}. */
  public String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = text;
    for (String secret : secrets) {
      if (masked.contains(secret)) {
        masked = masked.replace(secret, MASK);
      }
    }
    return maskPatterns(masked);
  }

  /** Masks only secret-shaped parts (URL passwords, password parameters, JWTs). */
  public static String maskPatterns(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String masked = text;
    if (masked.contains("://")) {
      masked = URL_PASSWORD.matcher(masked).replaceAll("$1" + MASK + "@");
    }
    masked = PASSWORD_PARAM.matcher(masked).replaceAll("$1" + MASK);
    if (masked.contains("eyJ")) {
      masked = JWT.matcher(masked).replaceAll(MASK);
    }
    return masked;
  }
}
