package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random bodies, none a valid activation request: every answer is a 4xx, never a 5xx; afterwards no
 * row has changed and no workflow has run.
 */
class RandomBodiesPropertyTest {
  private static TestStack stack;
  private static String token;
  private static List<String> rowsBefore;
  private static int runsBefore;

  @BeforeContainer
  static void start() {
    stack = TestStack.shared();
    token = stack.token("property");
    rowsBefore = stack.allRows();
    runsBefore = stack.runsStarted();
  }

  @AfterContainer
  static void nothingChanged() throws InterruptedException {
    Thread.sleep(500);
    assertThat(stack.runsStarted()).as("workflow runs started").isEqualTo(runsBefore);
    assertThat(stack.allRows()).as("experiment rows").isEqualTo(rowsBefore);
  }

  @Property(tries = 150)
  void randomTextIsAClientError(@ForAll("text") String body) {
    assertClientError(body);
  }

  @Property(tries = 150)
  void objectsWithAnInvalidIdAreAClientError(@ForAll("invalidIdObjects") String body) {
    Api.Reply reply = stack.api.post(Api.ACTIVATE, body, token);

    assertThat(reply.status()).as(body).isEqualTo(400);
    assertThat(reply.code()).isEqualTo("INVALID_REQUEST");
  }

  private static void assertClientError(String body) {
    Api.Reply reply = stack.api.post(Api.ACTIVATE, body, token);
    assertThat(reply.status()).as(body).isBetween(400, 499);
    assertThat(reply.body().get("success").asBoolean()).isFalse();
  }

  @Provide
  Arbitrary<String> text() {
    Arbitrary<String> fragments =
        Arbitraries.of(
            "{",
            "}",
            "[",
            "]",
            ":",
            ",",
            "\"",
            "\\",
            "experimentId",
            "null",
            "true",
            "1e5",
            " ",
            "\"experimentId\"",
            "\\u0000",
            "\n");
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(300),
        Arbitraries.strings().all().ofMaxLength(100),
        fragments.list().ofMaxSize(40).map(parts -> String.join("", parts)));
  }

  @Provide
  Arbitrary<String> invalidIdObjects() {
    Arbitrary<String> blank =
        Arbitraries.of(" ", "\\t", "\\n", "\\r", "\\u00a0", "\\u2003")
            .list()
            .ofMaxSize(8)
            .map(parts -> "\"" + String.join("", parts) + "\"");
    Arbitrary<String> overLong =
        Arbitraries.strings()
            .alpha()
            .numeric()
            .ofMinLength(129)
            .ofMaxLength(400)
            .map(s -> "\"" + s + "\"");
    Arbitrary<String> withControl =
        Combinators.combine(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
                Arbitraries.integers().between(0, 0x1f),
                // Inside the id: at either end a whitespace control character is trimmed away.
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20))
            .as((a, control, b) -> "\"" + a + String.format("\\u%04x", control) + b + "\"");
    Arbitrary<String> wrongType =
        Arbitraries.oneOf(
            Arbitraries.integers().map(String::valueOf),
            Arbitraries.doubles().map(String::valueOf),
            Arbitraries.of(
                "null", "true", "false", "[]", "{}", "[\"exp_1\"]", "{\"id\":\"exp_1\"}"));
    Arbitrary<String> extra =
        Arbitraries.strings()
            .alpha()
            .ofMinLength(1)
            .ofMaxLength(10)
            .map(key -> key.equals("experimentId") ? "other" : key);
    return Combinators.combine(Arbitraries.oneOf(blank, overLong, withControl, wrongType), extra)
        .as((value, key) -> "{\"" + key + "\": 1, \"experimentId\": " + value + "}");
  }
}
