package dev.abtest.runtime;

/** What an exception says, in one line, for logs and command output. */
public final class Failures {
  private Failures() {}

  /**
   * The innermost cause's message (its class name when it has none) on one line: what is wrong,
   * without the wrappers' repetitions (Flyway's and gRPC's messages span many lines).
   */
  public static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ").strip();
  }
}
