package dev.abtest.starter.cli;

/** A command line the commands cannot run: its message is the one line to print. */
public final class UsageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message, null, false, false);
  }
}
