package dev.abtest.runtime;

/**
 * A missing or malformed setting. Its message is the one line a process prints before it exits, so
 * it names the setting and says what is expected; it never repeats a secret value.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
