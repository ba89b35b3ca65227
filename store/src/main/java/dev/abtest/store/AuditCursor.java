package dev.abtest.store;

import java.time.Instant;
import java.util.Objects;

/**
 * A position in an experiment's activation history (newest first): the next page holds the records
 * strictly older than ({@code decidedAt}, {@code id}). {@link #token()} is its text form for APIs.
 */
public record AuditCursor(Instant decidedAt, long id) {
  public AuditCursor {
    Objects.requireNonNull(decidedAt, "decidedAt");
  }

  /** {@code <epoch millis>.<id>}, e.g. {@code 1764072000000.42}. */
  public String token() {
    return decidedAt.toEpochMilli() + "." + id;
  }

  /** Parses a {@link #token()}; throws IllegalArgumentException naming the problem otherwise. */
  public static AuditCursor parse(String token) {
    String problem = "cursor must look like <epoch millis>.<id>";
    if (token == null) {
      throw new IllegalArgumentException(problem);
    }
    int dot = token.indexOf('.');
    if (dot <= 0 || dot == token.length() - 1) {
      throw new IllegalArgumentException(problem);
    }
    try {
      long millis = Long.parseLong(token.substring(0, dot));
      long id = Long.parseLong(token.substring(dot + 1));
      if (id < 0) {
        throw new IllegalArgumentException(problem);
      }
      return new AuditCursor(Instant.ofEpochMilli(millis), id);
    } catch (NumberFormatException | java.time.DateTimeException e) {
      throw new IllegalArgumentException(problem, e);
    }
  }
}
