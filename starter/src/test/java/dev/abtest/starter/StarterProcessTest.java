package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.testing.ServiceProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The real process: one clear line for a bad setting; serving, then a clean stop on SIGTERM. */
@ExtendWith(TestStack.Resolver.class)
class StarterProcessTest {
  private static final String PASSWORD = "Sup3r-s3cret-pw";

  @Test
  void jwtModeWithoutAKeyRefusesToStartWithOneLine() throws Exception {
    Process process =
        start(Map.of("POSTGRESQL_URL", "postgresql://app:" + PASSWORD + "@127.0.0.1:5432/abtests"));

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> stderr = lines(process.getErrorStream().readAllBytes());
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(stderr)
        .singleElement()
        .asString()
        .startsWith("starter: configuration error: AUTH_MODE=jwt needs a key");
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(stdout + stderr).doesNotContain(PASSWORD);
  }

  @Test
  void aMalformedSettingIsNamedWithoutThePassword() throws Exception {
    Process process =
        start(
            Map.of(
                "AUTH_MODE",
                "none",
                "POSTGRESQL_URL",
                "postgresql://app:" + PASSWORD + "@db:port/abtests"));

    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    List<String> stderr = lines(process.getErrorStream().readAllBytes());
    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(stderr)
        .singleElement()
        .asString()
        .startsWith("starter: configuration error: POSTGRESQL_URL")
        .doesNotContain(PASSWORD);
  }

  @Test
  void servesUntilSigtermThenStopsCleanly(TestStack stack) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(stack.env());
    env.put("LOG_FORMAT", "text");
    Process process = start(env);
    List<String> stdout = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () ->
                new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))
                    .lines()
                    .forEach(stdout::add));
    reader.start();
    try {
      Pattern listening = Pattern.compile("Starter listening on (http://\\S+)");
      String base =
          org.awaitility.Awaitility.await()
              .atMost(java.time.Duration.ofSeconds(60))
              .until(
                  () -> {
                    synchronized (stdout) {
                      for (String line : stdout) {
                        Matcher m = listening.matcher(line);
                        if (m.find()) {
                          return m.group(1);
                        }
                      }
                    }
                    return null;
                  },
                  java.util.Objects::nonNull);
      Api api = new Api(URI.create(base));
      assertThat(api.get("/healthz", null).status()).isEqualTo(200);
      assertThat(api.activate("x", null).status()).isEqualTo(401);

      // SIGTERM through the handle: Process.destroy() would also close our end of stdout.
      process.toHandle().destroy();

      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exits after SIGTERM").isTrue();
      reader.join(10_000);
      assertThat(stdout).as("stdout").anyMatch(line -> line.contains("Starter stopped"));
      assertThat(String.join("\n", stdout)).doesNotContain(stack.tokens.secret);
    } finally {
      process.destroyForcibly();
    }
  }

  private static Process start(Map<String, String> env) {
    return ServiceProcess.mainClass(StarterMain.class).onlyGivenEnv().env(env).start().process();
  }

  private static List<String> lines(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8).lines().toList();
  }
}
