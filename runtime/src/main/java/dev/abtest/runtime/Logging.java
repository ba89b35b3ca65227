package dev.abtest.runtime;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.mask.MaskingJsonGeneratorDecorator;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Configures the process's logging, first thing in {@code main}: one JSON object per line on stdout
 * (or a readable text line with {@code LOG_FORMAT=text}) at {@code LOG_LEVEL}, java.util.logging
 * routed through SLF4J, noisy libraries kept at WARN, and every line passed through a {@link
 * Redaction} so no password, API key or token is ever written.
 *
 * <p>JSON lines carry the MDC as top-level fields. The Temporal SDK's own MDC keys are renamed to
 * this project's camelCase names ({@code WorkflowId} becomes {@code workflowId}, {@code RunId}
 * {@code runId}, an activity's {@code Attempt} {@code activityAttempt}), so a workflow's and an
 * activity's lines carry {@code workflowId}, {@code runId}, {@code activityAttempt} and, set by the
 * worker, {@code experimentId}.
 *
 * <p>Variables: {@code LOG_LEVEL} = trace, debug, info (default), warn or error; {@code LOG_FORMAT}
 * = json (default) or text. Text is chosen only when asked for, so a terminal and a container read
 * the same default.
 */
public final class Logging {
  /** {@code LOG_FORMAT}: how a line is written. */
  public enum Format {
    JSON,
    TEXT
  }

  /** {@code LOG_LEVEL}: the least severe level written. */
  public enum LogLevel {
    TRACE,
    DEBUG,
    INFO,
    WARN,
    ERROR;

    Level toLogback() {
      return Level.toLevel(name());
    }
  }

  /** The logging settings of a process, read from {@code LOG_LEVEL} and {@code LOG_FORMAT}. */
  public record Settings(LogLevel level, Format format) {
    public Settings {
      Objects.requireNonNull(level, "level");
      Objects.requireNonNull(format, "format");
    }

    /**
     * @throws ConfigException naming LOG_LEVEL or LOG_FORMAT when either is not a known value
     */
    public static Settings fromEnv(Env env) {
      return new Settings(
          env.choice("LOG_LEVEL", LogLevel.class, LogLevel.INFO),
          env.choice("LOG_FORMAT", Format.class, Format.JSON));
    }
  }

  /** The Temporal SDK's MDC keys and the field names they get in our lines. */
  private static final Map<String, String> TEMPORAL_MDC_FIELDS =
      Map.of(
          "WorkflowId", "workflowId",
          "RunId", "runId",
          "WorkflowType", "workflowType",
          "ActivityId", "activityId",
          "ActivityType", "activityType",
          "Attempt", "activityAttempt",
          "TaskQueue", "taskQueue",
          "Namespace", "namespace");

  /** Chatty libraries: their INFO lines are noise in production; warnings still show. */
  private static final Map<String, Level> LIBRARY_LEVELS =
      Map.of(
          "io.grpc", Level.WARN,
          "io.netty", Level.WARN,
          "com.zaxxer.hikari", Level.WARN,
          "org.flywaydb", Level.WARN,
          "org.jdbi", Level.WARN,
          "io.temporal", Level.INFO,
          // Its INFO lines are "shutdown" per closed connection.
          "io.temporal.serviceclient", Level.WARN,
          "org.eclipse.jetty", Level.WARN);

  private static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX,UTC} %-5level [%thread] %logger{36}"
          + "%replace( [%X]){' \\[\\]', ''} - %msg%n";

  private static final String APPENDER_NAME = "stdout";
  private static final LogEscaping ESCAPING = new LogEscaping();

  private final Redaction redaction;
  private final Settings settings;

  private Logging(Settings settings, Redaction redaction) {
    this.settings = settings;
    this.redaction = redaction;
  }

  /**
   * Reads {@code LOG_LEVEL} and {@code LOG_FORMAT} and configures logging to stdout.
   *
   * @throws ConfigException when a setting is invalid; logging is left as it was
   */
  public static Logging configure(Env env) {
    return configure(Settings.fromEnv(env), System.out);
  }

  /**
   * Configures logging to {@code out} (tests capture lines this way). Replaces any previous
   * configuration of the process; {@code out} is flushed after every line and never closed.
   */
  public static Logging configure(Settings settings, OutputStream out) {
    Redaction redaction = new Redaction();
    LoggerContext context = loggerContext();
    context.reset();
    installLevelPropagation(context);

    OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    appender.setContext(context);
    appender.setName(APPENDER_NAME);
    appender.setEncoder(
        settings.format() == Format.JSON
            ? jsonEncoder(context, redaction)
            : textEncoder(context, redaction));
    appender.setImmediateFlush(true);
    appender.setOutputStream(new NonClosingOutputStream(out));
    appender.start();

    Level level = settings.level().toLogback();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(appender);
    LIBRARY_LEVELS.forEach(
        (name, quietLevel) ->
            // A library never logs more than the root allows, and never more than its quiet level.
            context
                .getLogger(name)
                .setLevel(level.isGreaterOrEqual(quietLevel) ? level : quietLevel));

    routeJavaUtilLogging();
    return new Logging(settings, redaction);
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Masks {@code secret} in every line written from now on (a database password, an API key).
   * Values shorter than 4 characters are only masked where they look like a secret (URL,
   * password=...).
   */
  public Logging redact(String secret) {
    redaction.secret(secret);
    return this;
  }

  /** Masks each of {@code secrets} (nulls ignored) in every line from now on. */
  public Logging redactAll(java.util.Collection<String> secrets) {
    secrets.forEach(this::redact);
    return this;
  }

  public Redaction redaction() {
    return redaction;
  }

  private static LoggerContext loggerContext() {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext context) {
      return context;
    }
    throw new IllegalStateException(
        "SLF4J is not bound to logback (found " + factory.getClass().getName() + ")");
  }

  private static Encoder<ILoggingEvent> jsonEncoder(LoggerContext context, Redaction redaction) {
    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    encoder.getFieldNames().setVersion("[ignore]");
    encoder.getFieldNames().setLevelValue("[ignore]");
    TEMPORAL_MDC_FIELDS.forEach((key, field) -> encoder.addMdcKeyFieldName(key + "=" + field));
    MaskingJsonGeneratorDecorator masking = new MaskingJsonGeneratorDecorator();
    masking.addValueMasker(
        (jsonContext, value) -> {
          if (value instanceof CharSequence text) {
            String original = text.toString();
            // Caller-supplied text is escaped in every field but the stack trace.
            Object escaped = ESCAPING.mask(jsonContext, value);
            String masked = redaction.mask(escaped == null ? original : (String) escaped);
            return masked.equals(original) ? null : masked;
          }
          return null;
        });
    masking.start();
    encoder.setJsonGeneratorDecorator(masking);
    encoder.start();
    return encoder;
  }

  private static Encoder<ILoggingEvent> textEncoder(LoggerContext context, Redaction redaction) {
    PatternLayout layout =
        new PatternLayout() {
          @Override
          public String doLayout(ILoggingEvent event) {
            return redaction.mask(super.doLayout(event));
          }
        };
    layout.setContext(context);
    for (String word : new String[] {"m", "msg", "message"}) {
      layout.getInstanceConverterMap().put(word, LogEscaping.Message::new);
    }
    for (String word : new String[] {"X", "mdc"}) {
      layout.getInstanceConverterMap().put(word, LogEscaping.Mdc::new);
    }
    layout.setPattern(TEXT_PATTERN);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.setCharset(StandardCharsets.UTF_8);
    encoder.start();
    return encoder;
  }

  private static void installLevelPropagation(LoggerContext context) {
    // Without it, every java.util.logging call is built in full before SLF4J drops it.
    boolean installed =
        context.getCopyOfListenerList().stream().anyMatch(LevelChangePropagator.class::isInstance);
    if (!installed) {
      LevelChangePropagator propagator = new LevelChangePropagator();
      propagator.setContext(context);
      propagator.setResetJUL(true);
      propagator.start();
      context.addListener(propagator);
    }
  }

  private static void routeJavaUtilLogging() {
    if (!SLF4JBridgeHandler.isInstalled()) {
      SLF4JBridgeHandler.removeHandlersForRootLogger();
      SLF4JBridgeHandler.install();
    }
  }

  /** Lets the appender be stopped on reconfiguration without closing stdout. */
  private static final class NonClosingOutputStream extends FilterOutputStream {
    NonClosingOutputStream(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  @Override
  public String toString() {
    return "Logging["
        + settings.level().name().toLowerCase(Locale.ROOT)
        + ", "
        + settings.format()
        + "]";
  }
}
