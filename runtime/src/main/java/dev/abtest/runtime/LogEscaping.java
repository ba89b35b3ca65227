package dev.abtest.runtime;

import ch.qos.logback.classic.pattern.MDCConverter;
import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.core.JsonStreamContext;
import net.logstash.logback.mask.ValueMasker;

/**
 * Keeps caller-supplied text from forging or hiding log lines: every control character (newline
 * included), format character (zero-width, bidi overrides and isolates), line or paragraph
 * separator and unpaired surrogate is written as {@code \}{@code uXXXX}. Applied by the log
 * configuration itself, to the message and the MDC of text lines ({@link Message}, {@link Mdc}) and
 * to every string value of JSON lines (this class as a Logstash {@link ValueMasker}), so no call
 * site has to remember it. Stack traces keep their line breaks.
 */
public final class LogEscaping implements ValueMasker {
  private static final String STACK_TRACE_FIELD = "stack_trace";

  /** {@code text} with every unsafe character escaped; the same instance when there is none. */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      if (unsafe(cp)) {
        break;
      }
      i += Character.charCount(cp);
    }
    if (i == text.length()) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, i);
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      if (unsafe(cp)) {
        out.append(String.format("\\u%04X", cp));
      } else {
        out.appendCodePoint(cp);
      }
      i += Character.charCount(cp);
    }
    return out.toString();
  }

  /** Control, format, line/paragraph separator, or a surrogate standing alone. */
  public static boolean unsafe(int cp) {
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR
        || type == Character.SURROGATE;
  }

  @Override
  public Object mask(JsonStreamContext context, Object value) {
    if (!(value instanceof CharSequence text)) {
      return null;
    }
    if (context != null && STACK_TRACE_FIELD.equals(context.getCurrentName())) {
      return null;
    }
    String original = text.toString();
    String escaped = escape(original);
    return escaped.equals(original) ? null : escaped;
  }

  /** {@code %msg} of text lines, escaped. */
  public static final class Message extends MessageConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return escape(super.convert(event));
    }
  }

  /** {@code %X} of text lines, escaped. */
  public static final class Mdc extends MDCConverter {
    @Override
    public String convert(ILoggingEvent event) {
      return escape(super.convert(event));
    }
  }
}
