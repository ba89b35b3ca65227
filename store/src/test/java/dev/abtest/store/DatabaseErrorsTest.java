package dev.abtest.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class DatabaseErrorsTest {
  @Test
  void namesTheSqlErrorInsideWrappersOnOneLine() {
    RuntimeException wrapped =
        new RuntimeException(
            "Unable to execute\nWITH clock AS (\n SELECT ...)",
            new SQLException("Connection to 127.0.0.1:5432 refused.\nCheck that...", "08001"));

    assertThat(DatabaseErrors.summary(wrapped))
        .isEqualTo("SQLException [08001]: Connection to 127.0.0.1:5432 refused. Check that...");
  }

  @Test
  void fallsBackToTheRootCauseAndCutsLongMessages() {
    IllegalStateException root = new IllegalStateException("x".repeat(1000));

    String summary = DatabaseErrors.summary(new RuntimeException("outer", root));

    assertThat(summary).startsWith("IllegalStateException: xxx").hasSize(303).doesNotContain("\n");
  }
}
