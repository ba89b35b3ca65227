package dev.abtest.runtime;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, validated reads of environment variables. Every failure is a {@link ConfigException} whose
 * message names the variable; values are quoted only for settings that cannot be secret.
 */
public final class Env {
  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);

  private final Map<String, String> vars;

  public Env(Map<String, String> vars) {
    this.vars = Map.copyOf(Objects.requireNonNull(vars, "vars"));
  }

  public static Env system() {
    return new Env(System.getenv());
  }

  /** The raw variables, for libraries that read the environment themselves (Temporal envconfig). */
  public Map<String, String> asMap() {
    return vars;
  }

  /** The trimmed value, or empty when the variable is unset or blank. */
  public Optional<String> optional(String name) {
    String value = vars.get(name);
    if (value == null || value.isBlank()) {
      return Optional.empty();
    }
    return Optional.of(value.strip());
  }

  public String required(String name, String whatItIs) {
    return optional(name)
        .orElseThrow(() -> new ConfigException(name + " is required: " + whatItIs));
  }

  public String string(String name, String defaultValue) {
    return optional(name).orElse(defaultValue);
  }

  public int integer(String name, int defaultValue, int min, int max) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    int value;
    try {
      value = Integer.parseInt(raw.get());
    } catch (NumberFormatException e) {
      throw new ConfigException(name + " must be a whole number, got '" + raw.get() + "'");
    }
    if (value < min || value > max) {
      throw new ConfigException(
          name + " must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }

  public int port(String name, int defaultValue) {
    return integer(name, defaultValue, 0, 65535);
  }

  /**
   * A duration written as {@code 500ms}, {@code 10s}, {@code 5m}, {@code 1h}, {@code 2d} or
   * ISO-8601 ({@code PT1H}); must be positive.
   */
  public Duration duration(String name, Duration defaultValue) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    Duration value = parseDuration(raw.get());
    if (value == null || value.isNegative() || value.isZero()) {
      throw new ConfigException(
          name
              + " must be a positive duration such as 500ms, 10s, 5m, 1h or PT1H, got '"
              + raw.get()
              + "'");
    }
    return value;
  }

  public boolean flag(String name, boolean defaultValue) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    return switch (raw.get().toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> true;
      case "false", "0", "no", "off" -> false;
      default ->
          throw new ConfigException(name + " must be true or false, got '" + raw.get() + "'");
    };
  }

  /** One of the enum's constants, case-insensitive. */
  public <E extends Enum<E>> E choice(String name, Class<E> type, E defaultValue) {
    Optional<String> raw = optional(name);
    if (raw.isEmpty()) {
      return defaultValue;
    }
    StringBuilder allowed = new StringBuilder();
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equalsIgnoreCase(raw.get())) {
        return constant;
      }
      allowed.append(allowed.length() == 0 ? "" : ", ");
      allowed.append(constant.name().toLowerCase(Locale.ROOT));
    }
    throw new ConfigException(name + " must be one of " + allowed + ", got '" + raw.get() + "'");
  }

  static Duration parseDuration(String text) {
    Matcher simple = SIMPLE_DURATION.matcher(text.strip());
    if (simple.matches()) {
      long amount = Long.parseLong(simple.group(1));
      return switch (simple.group(2).toLowerCase(Locale.ROOT)) {
        case "ms" -> Duration.ofMillis(amount);
        case "s" -> Duration.ofSeconds(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofDays(amount);
      };
    }
    try {
      return Duration.parse(text.strip().toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
