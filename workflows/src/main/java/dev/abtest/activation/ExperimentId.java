package dev.abtest.activation;

import java.text.Normalizer;
import java.util.Objects;
import java.util.Optional;

/**
 * An experiment id that obeys the contract's rule, parsed once where it enters (HTTP, CLI, the
 * workflow's input, an activity's input) and passed on as this type: a string, trimmed, 1..128 code
 * points, in Unicode NFC, with no control, format (zero-width, bidi) or line/paragraph separator
 * characters (nor an unpaired surrogate). Wire formats keep the plain string ({@link #value()}).
 */
public record ExperimentId(String value) {
  public static final int MAX_LENGTH = 128;

  /** Only valid, already trimmed ids: use {@link #parse} for caller input. */
  public ExperimentId {
    Objects.requireNonNull(value, "value");
    Optional<String> problem = problem(value);
    if (problem.isPresent()) {
      throw new Invalid(problem.get());
    }
    if (!value.equals(value.strip())) {
      throw new Invalid("experimentId must be trimmed; parse it first");
    }
  }

  /** Why an id was refused: the message names the rule it broke and is safe to show the caller. */
  public static final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private Invalid(String problem) {
      super(problem);
    }

    public String problem() {
      return getMessage();
    }
  }

  /**
   * The id {@code raw} stands for (trimmed).
   *
   * @throws Invalid naming the broken rule when {@code raw} is not a valid id
   */
  public static ExperimentId parse(String raw) {
    Optional<String> problem = problem(raw);
    if (problem.isPresent()) {
      throw new Invalid(problem.get());
    }
    return new ExperimentId(raw.strip());
  }

  /** The id {@code raw} stands for, or empty when it breaks the rule (for logs and cursors). */
  public static Optional<ExperimentId> tryParse(String raw) {
    return problem(raw).isPresent() ? Optional.empty() : Optional.of(new ExperimentId(raw.strip()));
  }

  /** The workflow id of this experiment's activations ({@code activate-experiment:<id>}). */
  public String workflowId() {
    return ActivationContract.workflowId(value);
  }

  @Override
  public String toString() {
    return value;
  }

  /** Length counts Unicode code points of the trimmed value. */
  private static Optional<String> problem(String raw) {
    if (raw == null) {
      return Optional.of("experimentId is required");
    }
    String id = raw.strip();
    // strip() keeps no-break and other Unicode spaces (JavaScript's trim() removes them): an id
    // made only of those is blank too.
    if (id.codePoints().allMatch(ExperimentId::isSpace)) {
      return Optional.of("experimentId must not be blank");
    }
    if (id.codePointCount(0, id.length()) > MAX_LENGTH) {
      return Optional.of("experimentId must be at most " + MAX_LENGTH + " characters");
    }
    if (id.codePoints().anyMatch(ExperimentId::isForbidden)) {
      return Optional.of(
          "experimentId must not contain control characters, format characters (zero-width,"
              + " bidi) or line/paragraph separators");
    }
    if (!Normalizer.isNormalized(id, Normalizer.Form.NFC)) {
      return Optional.of("experimentId must be in Unicode normalization form NFC");
    }
    return Optional.empty();
  }

  private static boolean isSpace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0xFEFF;
  }

  private static boolean isForbidden(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE;
  }
}
