package dev.abtest.activation;

import java.text.Normalizer;
import java.util.Optional;

/**
 * The contract's rule for an experiment id, in one place: a string, trimmed, 1..128 code points, in
 * Unicode NFC, with no control, format (zero-width, bidi) or line/paragraph separator characters
 * (nor an unpaired surrogate).
 */
public final class ExperimentIds {
  public static final int MAX_LENGTH = 128;

  private ExperimentIds() {}

  /**
   * Returns why {@code raw} is not a valid experiment id, or empty when it is. Length counts
   * Unicode code points of the trimmed value.
   */
  public static Optional<String> problem(String raw) {
    if (raw == null) {
      return Optional.of("experimentId is required");
    }
    String id = raw.strip();
    // strip() keeps no-break and other Unicode spaces (JavaScript's trim() removes them): an id
    // made
    // only of those is blank too.
    if (id.codePoints().allMatch(ExperimentIds::isSpace)) {
      return Optional.of("experimentId must not be blank");
    }
    if (id.codePointCount(0, id.length()) > MAX_LENGTH) {
      return Optional.of("experimentId must be at most " + MAX_LENGTH + " characters");
    }
    if (id.codePoints().anyMatch(ExperimentIds::isForbidden)) {
      return Optional.of(
          "experimentId must not contain control characters, format characters (zero-width,"
              + " bidi) or line/paragraph separators");
    }
    if (!Normalizer.isNormalized(id, Normalizer.Form.NFC)) {
      return Optional.of("experimentId must be in Unicode normalization form NFC");
    }
    return Optional.empty();
  }

  /** The trimmed id; call only after {@link #problem} returned empty. */
  public static String normalize(String raw) {
    return raw.strip();
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
