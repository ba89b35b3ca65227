package dev.abtest.starter.auth;

import dev.abtest.runtime.ConfigException;
import dev.abtest.runtime.Env;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How requests are authenticated: {@code AUTH_MODE} and the {@code AUTH_*} settings of the
 * contract. {@link #toString()} never shows the secret.
 */
public record AuthSettings(
    Mode mode,
    String secret,
    URL jwksUrl,
    Path publicKeyFile,
    String issuer,
    String audience,
    String roleClaim,
    String requiredRole,
    Duration clockSkew) {

  public enum Mode {
    JWT,
    NONE
  }

  public static final String DEFAULT_ROLE_CLAIM = "roles";
  public static final String DEFAULT_REQUIRED_ROLE = "experiments:activate";
  public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(30);

  /** HS256 keys shorter than the hash are weak (RFC 7518 section 3.2). */
  static final int MIN_SECRET_BYTES = 32;

  public static AuthSettings fromEnv(Env env) {
    Mode mode = env.choice("AUTH_MODE", Mode.class, Mode.JWT);
    String secret = env.optional("AUTH_JWT_SECRET").orElse(null);
    URL jwksUrl = env.optional("AUTH_JWKS_URL").map(AuthSettings::jwksUrl).orElse(null);
    Path keyFile = env.optional("AUTH_JWT_PUBLIC_KEY_FILE").map(Path::of).orElse(null);
    if (mode == Mode.JWT) {
      if (secret == null && jwksUrl == null && keyFile == null) {
        throw new ConfigException(
            "AUTH_MODE=jwt needs a key: set AUTH_JWT_SECRET (HS256), AUTH_JWKS_URL or"
                + " AUTH_JWT_PUBLIC_KEY_FILE (RS256/ES256), or set AUTH_MODE=none explicitly");
      }
      if (secret != null && secret.getBytes(StandardCharsets.UTF_8).length < MIN_SECRET_BYTES) {
        throw new ConfigException(
            "AUTH_JWT_SECRET must be at least " + MIN_SECRET_BYTES + " bytes long for HS256");
      }
      if (jwksUrl != null && keyFile != null) {
        throw new ConfigException(
            "set only one of AUTH_JWKS_URL and AUTH_JWT_PUBLIC_KEY_FILE, not both");
      }
    }
    return new AuthSettings(
        mode,
        secret,
        jwksUrl,
        keyFile,
        env.optional("AUTH_JWT_ISSUER").orElse(null),
        env.optional("AUTH_JWT_AUDIENCE").orElse(null),
        env.string("AUTH_ROLE_CLAIM", DEFAULT_ROLE_CLAIM),
        env.string("AUTH_REQUIRED_ROLE", DEFAULT_REQUIRED_ROLE),
        env.duration("AUTH_CLOCK_SKEW", DEFAULT_CLOCK_SKEW));
  }

  /** No authentication: every caller is anonymous. Only ever chosen explicitly. */
  public static AuthSettings none() {
    return new AuthSettings(
        Mode.NONE,
        null,
        null,
        null,
        null,
        null,
        DEFAULT_ROLE_CLAIM,
        DEFAULT_REQUIRED_ROLE,
        DEFAULT_CLOCK_SKEW);
  }

  /**
   * Builds the authenticator; reading the public key file happens here, so errors stop the start.
   */
  public Authenticator authenticator() {
    return mode == Mode.NONE ? Authenticator.none() : new JwtAuthenticator(this);
  }

  /** For the start-up log line: which key sources, never the secret. */
  public String describe() {
    if (mode == Mode.NONE) {
      return "authentication OFF (AUTH_MODE=none)";
    }
    StringBuilder keys = new StringBuilder();
    if (secret != null) {
      keys.append("HS256 shared secret");
    }
    if (jwksUrl != null) {
      keys.append(keys.length() > 0 ? ", " : "").append("JWKS at ").append(jwksUrl);
    }
    if (publicKeyFile != null) {
      keys.append(keys.length() > 0 ? ", " : "").append("public key file ").append(publicKeyFile);
    }
    return "JWT bearer tokens ("
        + keys
        + "), required role '"
        + requiredRole
        + "' in claim '"
        + roleClaim
        + "' or scope"
        + (issuer != null ? ", issuer " + issuer : "")
        + (audience != null ? ", audience " + audience : "");
  }

  @Override
  public String toString() {
    return "AuthSettings[" + describe() + "]";
  }

  private static URL jwksUrl(String value) {
    try {
      URI uri = new URI(value);
      if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())) {
        throw new ConfigException("AUTH_JWKS_URL must be an http(s) URL, got '" + value + "'");
      }
      return uri.toURL();
    } catch (java.net.URISyntaxException
        | java.net.MalformedURLException
        | IllegalArgumentException e) {
      throw new ConfigException("AUTH_JWKS_URL must be an http(s) URL, got '" + value + "'");
    }
  }
}
