package dev.abtest.starter;

import static dev.abtest.starter.ActivationRouteTest.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import dev.abtest.activation.ExperimentStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bearer tokens through real HTTP: what activates, what is refused, and that refusals change
 * nothing.
 */
@ExtendWith(TestStack.Resolver.class)
class AuthTest {
  static TestStack stack;
  static Api api;
  static Tokens tokens;

  @BeforeAll
  static void start(TestStack shared) {
    stack = shared;
    api = shared.api;
    tokens = shared.tokens;
  }

  @Test
  void hs256TokenActivatesAndItsSubjectIsRecorded() {
    String id = stack.insert("hs256", ExperimentStatus.PENDING);

    Api.Reply reply = api.activate(id, tokens.hs256("carol@example.com"));

    assertThat(reply.status()).isEqualTo(200);
    assertThat(stack.auditRows(id))
        .singleElement()
        .satisfies(row -> assertThat(row.get("requested_by")).isEqualTo("carol@example.com"));
  }

  @Test
  void rs256AndEs256TokensFromTheJwksActivate() {
    String rsa = stack.insert("rs256", ExperimentStatus.PENDING);
    String ec = stack.insert("es256", ExperimentStatus.PENDING);

    assertThat(api.activate(rsa, tokens.rs256(Tokens.claims("rsa-user").build())).status())
        .isEqualTo(200);
    assertThat(api.activate(ec, tokens.es256(Tokens.claims("ec-user").build())).status())
        .isEqualTo(200);

    assertThat(stack.auditRows(rsa).get(0).get("requested_by")).isEqualTo("rsa-user");
    assertThat(stack.auditRows(ec).get(0).get("requested_by")).isEqualTo("ec-user");
  }

  @Test
  void roleFromASpaceSeparatedScopeIsAccepted() {
    String id = stack.insert("scope", ExperimentStatus.PENDING);
    JWTClaimsSet claims =
        Tokens.claims("scoped")
            .claim("roles", null)
            .claim("scope", "openid experiments:activate profile")
            .build();

    assertThat(api.activate(id, tokens.hs256(claims)).status()).isEqualTo(200);
  }

  @Test
  void invalidTokensAre401AndChangeNothing() {
    String id = stack.insert("refused", ExperimentStatus.PENDING);
    List<String> rowsBefore = stack.allRows();
    Instant now = Instant.now();
    String valid = tokens.hs256("mallory");
    Map<String, String> invalid = new LinkedHashMap<>();
    invalid.put(
        "expired",
        tokens.hs256(
            Tokens.claims("mallory")
                .issueTime(Date.from(now.minusSeconds(3600)))
                .expirationTime(Date.from(now.minusSeconds(600)))
                .build()));
    invalid.put(
        "not yet valid",
        tokens.hs256(
            Tokens.claims("mallory").notBeforeTime(Date.from(now.plusSeconds(600))).build()));
    invalid.put(
        "tampered subject",
        Tokens.tampered(valid, payload -> payload.replace("\"mallory\"", "\"admin\"")));
    invalid.put(
        "tampered roles",
        Tokens.tampered(
            tokens.hs256(Tokens.claims("mallory").claim("roles", List.of("reader")).build()),
            payload -> payload.replace("reader", "experiments:activate")));
    invalid.put("alg none", Tokens.unsecured(Tokens.claims("mallory").build()));
    invalid.put("wrong RSA key", tokens.untrustedRs256(Tokens.claims("mallory").build()));
    invalid.put(
        "wrong HS256 secret",
        new Tokens.Hs256("another-secret-of-at-least-thirty-two-bytes!!")
            .sign(Tokens.claims("mallory").build()));
    invalid.put(
        "wrong issuer", tokens.hs256(Tokens.claims("mallory").issuer("https://evil.test").build()));
    invalid.put(
        "wrong audience", tokens.hs256(Tokens.claims("mallory").audience("other-api").build()));
    invalid.put("no subject", tokens.hs256(Tokens.claims("mallory").subject(null).build()));
    invalid.put("no expiry", tokens.hs256(Tokens.claims("mallory").expirationTime(null).build()));
    invalid.put("garbage", "not.a.token");
    invalid.put("empty", "");

    for (Map.Entry<String, String> token : invalid.entrySet()) {
      Api.Reply reply = api.activate(id, token.getValue());
      assertThat(reply.status()).as(token.getKey()).isEqualTo(401);
      assertError(reply, 401, "Missing or invalid bearer token", "UNAUTHENTICATED");
      assertThat(reply.header("WWW-Authenticate")).as(token.getKey()).startsWith("Bearer");
    }
    assertError(api.activate(id, null), 401, "Missing or invalid bearer token", "UNAUTHENTICATED");
    Api.Reply basic =
        api.send(
            api.request(Api.ACTIVATE, null)
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .header("Content-Type", "application/json")
                .POST(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"experimentId\":\"" + id + "\"}"))
                .build());
    assertError(basic, 401, "Missing or invalid bearer token", "UNAUTHENTICATED");

    assertThat(stack.allRows()).isEqualTo(rowsBefore);
    assertThat(stack.auditCount(id)).isZero();
    assertThat(stack.runsStartedFor(id)).isZero();
  }

  @Test
  void tokenWithoutTheRoleIs403AndChangesNothing() {
    String id = stack.insert("norole", ExperimentStatus.PENDING);

    Api.Reply reply =
        api.activate(
            id,
            tokens.rs256(
                Tokens.claims("viewer").claim("roles", List.of("experiments:read")).build()));

    assertError(reply, 403, "The token lacks the role required for this operation", "FORBIDDEN");
    assertThat(stack.status(id)).isEqualTo("PENDING");
    assertThat(stack.runsStartedFor(id)).isZero();
  }

  @Test
  void unreachableJwksIs503NotAnInvalidToken() throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Map<String, String> deadJwks = new LinkedHashMap<>();
    deadJwks.put("AUTH_JWT_SECRET", null);
    deadJwks.put("AUTH_JWKS_URL", "http://127.0.0.1:" + closedPort + "/jwks.json");
    String id = stack.insert("deadjwks", ExperimentStatus.PENDING);
    try (StarterApp starter = stack.starter(deadJwks)) {
      Api.Reply reply =
          new Api(starter.baseUri()).activate(id, tokens.rs256(Tokens.claims("user").build()));

      assertError(reply, 503, "Authentication keys unavailable", "UNAVAILABLE");
    }
    assertThat(stack.runsStartedFor(id)).isZero();
  }

  @Test
  void statusAndHistoryRoutesNeedAToken() {
    assertError(
        api.get(Api.ACTIVATIONS + "/anything", null),
        401,
        "Missing or invalid bearer token",
        "UNAUTHENTICATED");
    assertError(
        api.get(Api.ACTIVATIONS + "?experimentId=anything", null),
        401,
        "Missing or invalid bearer token",
        "UNAUTHENTICATED");
  }

  @Test
  void authModeNoneActivatesAnonymously() {
    String id = stack.insert("anonymous", ExperimentStatus.PENDING);
    Map<String, String> none = new LinkedHashMap<>();
    none.put("AUTH_MODE", "none");
    none.put("AUTH_JWT_SECRET", null);
    none.put("AUTH_JWKS_URL", null);
    try (StarterApp open = stack.starter(none)) {
      Api.Reply reply = new Api(open.baseUri()).activate(id, null);

      assertThat(reply.status()).isEqualTo(200);
    }
    assertThat(stack.auditRows(id).get(0).get("requested_by")).isNull();
  }

  @Test
  void publicKeyFileAcceptsItsAlgorithmOnly(@TempDir Path dir) throws Exception {
    Path pem = dir.resolve("ec-public.pem");
    Files.writeString(
        pem,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(tokens.ec.toECPublicKey().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    Map<String, String> fileOnly = new LinkedHashMap<>();
    fileOnly.put("AUTH_JWT_SECRET", null);
    fileOnly.put("AUTH_JWKS_URL", null);
    fileOnly.put("AUTH_JWT_PUBLIC_KEY_FILE", pem.toString());
    String id = stack.insert("pemfile", ExperimentStatus.PENDING);
    try (StarterApp starter = stack.starter(fileOnly)) {
      Api fileApi = new Api(starter.baseUri());

      assertError(
          fileApi.activate(id, tokens.rs256(Tokens.claims("rsa-user").build())),
          401,
          "Missing or invalid bearer token",
          "UNAUTHENTICATED");
      assertError(
          fileApi.activate(id, tokens.hs256("hs-user")),
          401,
          "Missing or invalid bearer token",
          "UNAUTHENTICATED");
      assertThat(fileApi.activate(id, tokens.es256(Tokens.claims("pem-user").build())).status())
          .isEqualTo(200);
    }
    assertThat(stack.auditRows(id).get(0).get("requested_by")).isEqualTo("pem-user");
  }
}
