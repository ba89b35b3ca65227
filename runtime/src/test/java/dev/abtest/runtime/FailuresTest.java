package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

class FailuresTest {
  @Test
  void theInnermostMessageOnOneLine() {
    Exception error =
        new IllegalStateException(
            "outer", new UncheckedIOException(new IOException("connection refused\n  at host")));

    assertThat(Failures.rootMessage(error)).isEqualTo("connection refused at host");
  }

  @Test
  void aCauseWithoutAMessageIsNamedByItsClass() {
    assertThat(Failures.rootMessage(new RuntimeException("outer", new NullPointerException())))
        .isEqualTo("NullPointerException");
  }
}
