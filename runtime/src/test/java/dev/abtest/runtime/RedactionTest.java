package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {
  @Test
  void masksARegisteredSecretWhereverItAppears() {
    Redaction redaction = new Redaction().secret("s3cr3t-Pass");
    assertThat(redaction.mask("login with s3cr3t-Pass failed (s3cr3t-Pass)"))
        .isEqualTo("login with ***** failed (*****)");
  }

  @Test
  void masksThePasswordOfAUrlButKeepsTheRest() {
    assertThat(Redaction.maskPatterns("cannot reach postgresql://app:pw@db.internal:5432/abtests"))
        .isEqualTo("cannot reach postgresql://app:*****@db.internal:5432/abtests");
  }

  @Test
  void masksPasswordParametersAndJsonFields() {
    assertThat(Redaction.maskPatterns("jdbc:postgresql://h/db?user=app&password=pw&ssl=true"))
        .isEqualTo("jdbc:postgresql://h/db?user=app&password=*****&ssl=true");
    assertThat(Redaction.maskPatterns("{\"password\":\"pw\",\"user\":\"app\"}"))
        .isEqualTo("{\"password\":\"*****\",\"user\":\"app\"}");
    assertThat(Redaction.maskPatterns("AUTH_JWT_SECRET=abcdef")).isEqualTo("AUTH_JWT_SECRET=*****");
  }

  @Test
  void masksJsonWebTokens() {
    String jwt =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSIsInJvbGVzIjpbXX0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    assertThat(Redaction.maskPatterns("Authorization: Bearer " + jwt))
        .isEqualTo("Authorization: Bearer *****");
  }

  @Test
  void leavesOrdinaryTextAloneAndIgnoresTinySecrets() {
    Redaction redaction = new Redaction().secret("pg").secret(null).secret(" ");
    String text = "Activation of exp_123456 ended: ACTIVATED (postgres at db:5432/pg)";
    assertThat(redaction.mask(text)).isEqualTo(text);
  }
}
