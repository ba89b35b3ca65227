package dev.abtest.starter.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.proc.SingleKeyJWSKeySelector;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import dev.abtest.runtime.LogEscaping;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies bearer tokens with Nimbus: the signature with the configured key (HS256 secret, JWKS or
 * PEM public key), only the algorithms that key allows (never {@code none}), {@code exp}/{@code
 * nbf} with a small clock skew, issuer and audience when configured; then requires the role.
 */
public final class JwtAuthenticator implements Authenticator {
  private static final Logger log = LoggerFactory.getLogger(JwtAuthenticator.class);
  private static final int MAX_TOKEN_CHARS = 16 * 1024;
  static final int MAX_SUBJECT_CHARS = 256;
  private static final Set<JWSAlgorithm> JWKS_ALGORITHMS =
      Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256);

  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final String roleClaim;
  private final String requiredRole;

  public JwtAuthenticator(AuthSettings settings) {
    this.roleClaim = settings.roleClaim();
    this.requiredRole = settings.requiredRole();
    List<KeyChoice> keys = new ArrayList<>();
    if (settings.secret() != null) {
      keys.add(
          new KeyChoice(
              Set.of(JWSAlgorithm.HS256),
              new JWSVerificationKeySelector<>(
                  JWSAlgorithm.HS256,
                  new ImmutableSecret<>(settings.secret().getBytes(StandardCharsets.UTF_8)))));
    }
    if (settings.jwksUrl() != null) {
      JWKSource<SecurityContext> source =
          new JwksKeys(
              settings.jwksUrl(),
              new DefaultResourceRetriever(2_000, 2_000, 256 * 1024),
              Clock.systemUTC());
      keys.add(
          new KeyChoice(
              JWKS_ALGORITHMS, new JWSVerificationKeySelector<>(JWKS_ALGORITHMS, source)));
    }
    if (settings.publicKeyFile() != null) {
      // One key: a token's kid, if any, is irrelevant; only the key's own algorithm is accepted.
      PublicKeys.Verification key = PublicKeys.read(settings.publicKeyFile());
      keys.add(
          new KeyChoice(
              Set.of(key.algorithm()), new SingleKeyJWSKeySelector<>(key.algorithm(), key.key())));
    }
    processor.setJWSKeySelector(combined(keys));

    JWTClaimsSet.Builder exact = new JWTClaimsSet.Builder();
    if (settings.issuer() != null) {
      exact.issuer(settings.issuer());
    }
    DefaultJWTClaimsVerifier<SecurityContext> claims =
        new DefaultJWTClaimsVerifier<>(
            settings.audience() == null ? null : Set.of(settings.audience()),
            exact.build(),
            Set.of("sub", "exp"),
            null);
    claims.setMaxClockSkew((int) settings.clockSkew().toSeconds());
    processor.setJWTClaimsSetVerifier(claims);
  }

  @Override
  public Caller authenticate(String authorization) throws AuthException {
    String token = bearerToken(authorization);
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (KeySourceException e) {
      log.warn("Cannot load the token verification keys: {}", e.getMessage());
      throw AuthException.keysUnavailable("verification keys unavailable: " + e.getMessage());
    } catch (ParseException | BadJOSEException | JOSEException e) {
      throw AuthException.unauthenticated("invalid token: " + e.getMessage());
    }
    String subjectProblem = subjectProblem(claims.getSubject());
    if (subjectProblem != null) {
      throw AuthException.unauthenticated("invalid token: the subject " + subjectProblem);
    }
    Set<String> roles = roles(claims);
    Caller caller = new Caller(claims.getSubject(), roles);
    if (!roles.contains(requiredRole)) {
      throw AuthException.forbidden(
          "subject " + caller.subject() + " lacks the role " + requiredRole);
    }
    return caller;
  }

  /**
   * Why a subject cannot become {@code requestedBy}, or null: it must be 1..256 characters (code
   * points) with no control or format characters (nor separators), since it is written to the audit
   * row and the logs.
   */
  static String subjectProblem(String subject) {
    if (subject == null || subject.isEmpty()) {
      return "is empty";
    }
    if (subject.codePointCount(0, subject.length()) > MAX_SUBJECT_CHARS) {
      return "is longer than " + MAX_SUBJECT_CHARS + " characters";
    }
    if (subject.codePoints().anyMatch(LogEscaping::unsafe)) {
      return "holds control or format characters";
    }
    return null;
  }

  private static String bearerToken(String authorization) throws AuthException {
    if (authorization == null || authorization.isBlank()) {
      throw AuthException.unauthenticated("no Authorization header");
    }
    String value = authorization.strip();
    if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw AuthException.unauthenticated("the Authorization header is not a Bearer token");
    }
    String token = value.substring(7).strip();
    if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw AuthException.unauthenticated("the bearer token is empty or too long");
    }
    return token;
  }

  /**
   * The role claim (an array of strings, or a space-separated string; dots walk into objects), plus
   * the scopes.
   */
  Set<String> roles(JWTClaimsSet claims) {
    Set<String> roles = new HashSet<>();
    addAll(roles, lookup(claims.getClaims(), roleClaim));
    addAll(roles, claims.getClaim("scope"));
    addAll(roles, claims.getClaim("scp"));
    return roles;
  }

  private static Object lookup(Map<String, Object> claims, String path) {
    Object direct = claims.get(path);
    if (direct != null || !path.contains(".")) {
      return direct;
    }
    Object current = claims;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(part);
    }
    return current;
  }

  private static void addAll(Set<String> roles, Object value) {
    if (value instanceof String text) {
      for (String role : text.strip().split("\\s+")) {
        if (!role.isEmpty()) {
          roles.add(role);
        }
      }
    } else if (value instanceof Collection<?> list) {
      for (Object item : list) {
        if (item instanceof String role) {
          roles.add(role);
        }
      }
    }
  }

  /** Algorithms a configured key accepts, and how to find the key for a token. */
  private record KeyChoice(
      Set<JWSAlgorithm> algorithms, JWSKeySelector<SecurityContext> selector) {}

  /**
   * Dispatches on the token's algorithm; an algorithm no configured key allows gets no key at all.
   */
  private static JWSKeySelector<SecurityContext> combined(List<KeyChoice> keys) {
    List<KeyChoice> choices = List.copyOf(keys);
    return (header, context) -> {
      JWSAlgorithm algorithm = header.getAlgorithm();
      for (KeyChoice choice : choices) {
        if (choice.algorithms().contains(algorithm)) {
          return choice.selector().selectJWSKeys(header, context);
        }
      }
      log.debug("Token refused: algorithm {} is not accepted", algorithm);
      return List.of();
    };
  }

  @Override
  public String toString() {
    return "JwtAuthenticator[role " + requiredRole + "]";
  }
}
