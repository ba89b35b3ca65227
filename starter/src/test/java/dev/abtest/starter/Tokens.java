package dev.abtest.starter;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * Test keys and tokens: an HS256 secret, RSA and EC key pairs published by a tiny loopback JWKS
 * server, and a key nobody trusts; tokens are minted with Nimbus, never by hand (except alg none).
 */
final class Tokens implements AutoCloseable {
  static final String ISSUER = "https://issuer.test";
  static final String AUDIENCE = "experiments-api";
  static final String ROLE = "experiments:activate";

  final String secret;
  final RSAKey rsa;
  final ECKey ec;
  final RSAKey untrusted;
  private final HttpServer jwks;

  private static final java.util.concurrent.atomic.AtomicInteger JWKS_FETCHES =
      new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicInteger jwksFetches = JWKS_FETCHES;

  private Tokens(String secret, RSAKey rsa, ECKey ec, RSAKey untrusted, HttpServer jwks) {
    this.secret = secret;
    this.rsa = rsa;
    this.ec = ec;
    this.untrusted = untrusted;
    this.jwks = jwks;
  }

  static Tokens start() {
    try {
      byte[] random = new byte[48];
      new SecureRandom().nextBytes(random);
      String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
      RSAKey untrusted = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
      byte[] document =
          new JWKSet(List.of(rsa.toPublicJWK(), ec.toPublicJWK()))
              .toString()
              .getBytes(StandardCharsets.UTF_8);
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
      server.createContext(
          "/jwks.json",
          exchange -> {
            JWKS_FETCHES.incrementAndGet();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, document.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(document);
            }
          });
      server.start();
      return new Tokens(secret, rsa, ec, untrusted, server);
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String jwksUrl() {
    return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
  }

  /** Valid claims for {@code subject} with the activation role, valid for ten minutes. */
  static JWTClaimsSet.Builder claims(String subject) {
    Instant now = Instant.now();
    return new JWTClaimsSet.Builder()
        .subject(subject)
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now.minusSeconds(5)))
        .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))))
        .jwtID(UUID.randomUUID().toString())
        .claim("roles", List.of(ROLE));
  }

  String hs256(String subject) {
    return hs256(claims(subject).build());
  }

  String hs256(JWTClaimsSet claims) {
    return sign(JWSAlgorithm.HS256, null, signer(() -> new MACSigner(secret)), claims);
  }

  String rs256(JWTClaimsSet claims) {
    return sign(JWSAlgorithm.RS256, rsa.getKeyID(), signer(() -> new RSASSASigner(rsa)), claims);
  }

  String es256(JWTClaimsSet claims) {
    return sign(JWSAlgorithm.ES256, ec.getKeyID(), signer(() -> new ECDSASigner(ec)), claims);
  }

  /** Signed by a key that has the trusted key's id but is not published. */
  String untrustedRs256(JWTClaimsSet claims) {
    return sign(
        JWSAlgorithm.RS256,
        untrusted.getKeyID(),
        signer(() -> new RSASSASigner(untrusted)),
        claims);
  }

  /** RS256 with a key id the key set does not hold (a rotated-away or invented key). */
  String unknownKidRs256(JWTClaimsSet claims, String keyId) {
    return sign(JWSAlgorithm.RS256, keyId, signer(() -> new RSASSASigner(untrusted)), claims);
  }

  /** How often the key set has been fetched since the stack started. */
  int jwksFetches() {
    return jwksFetches.get();
  }

  /** HS256 with any secret (a wrong one, for refusal tests). */
  record Hs256(String secret) {
    String sign(JWTClaimsSet claims) {
      return Tokens.sign(JWSAlgorithm.HS256, null, signer(() -> new MACSigner(secret)), claims);
    }
  }

  /** {@code {"alg":"none"}}: an unsecured token that only a broken verifier accepts. */
  static String unsecured(JWTClaimsSet claims) {
    String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}").toString();
    String payload = Base64URL.encode(claims.toString()).toString();
    return header + "." + payload + ".";
  }

  /** A valid token whose payload is changed after signing (signature kept). */
  static String tampered(String token, UnaryOperator<String> payloadChange) {
    String[] parts = token.split("\\.");
    String payload = new Base64URL(parts[1]).decodeToString();
    String changed = Base64URL.encode(payloadChange.apply(payload)).toString();
    return parts[0] + "." + changed + "." + parts[2];
  }

  private interface SignerFactory {
    JWSSigner create() throws JOSEException;
  }

  private static JWSSigner signer(SignerFactory factory) {
    try {
      return factory.create();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sign(
      JWSAlgorithm algorithm, String keyId, JWSSigner signer, JWTClaimsSet claims) {
    try {
      SignedJWT jwt =
          new SignedJWT(
              new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId).build(),
              claims);
      jwt.sign(signer);
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    jwks.stop(0);
  }
}
