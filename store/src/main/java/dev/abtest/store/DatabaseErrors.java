package dev.abtest.store;

import java.sql.SQLException;

/** Short descriptions of database failures for log lines. */
public final class DatabaseErrors {
  private static final int MAX_LENGTH = 300;

  private DatabaseErrors() {}

  /**
   * One line naming the innermost SQL error (or the root cause) and its message, e.g. {@code
   * PSQLException [08001]: Connection to 127.0.0.1:5432 refused}. Jdbi's own messages quote the
   * whole statement over many lines; this does not. Driver messages hold no passwords.
   */
  public static String summary(Throwable failure) {
    Throwable chosen = failure;
    for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
      chosen = t;
      if (t instanceof SQLException) {
        break;
      }
    }
    StringBuilder line = new StringBuilder(chosen.getClass().getSimpleName());
    if (chosen instanceof SQLException sql && sql.getSQLState() != null) {
      line.append(" [").append(sql.getSQLState()).append(']');
    }
    String message = chosen.getMessage();
    if (message != null && !message.isBlank()) {
      line.append(": ").append(message.strip().replaceAll("\\s+", " "));
    }
    return line.length() <= MAX_LENGTH ? line.toString() : line.substring(0, MAX_LENGTH) + "...";
  }
}
