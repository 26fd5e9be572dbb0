package dev.freshet.testsupport;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every log event of every logger that inherits the root logger's level (Lettuce and Netty among
 * them) while open, at {@code level} and above, with its stack trace: what a password must never be
 * part of, whatever level an operator turns logging up to.
 */
public final class CapturedLogs implements AutoCloseable {

  private static final String APPENDER_NAME = "captured-logs";

  private final LoggerContext context;
  private final LoggerConfig root;
  private final Level rootLevelBefore;
  private final Appender appender = new Appender();

  private CapturedLogs(Level level) {
    this.context = (LoggerContext) LogManager.getContext(false);
    this.root = context.getConfiguration().getRootLogger();
    this.rootLevelBefore = root.getLevel();
    appender.start();
    root.addAppender(appender, level, null);
    root.setLevel(level);
    context.updateLoggers();
  }

  public static CapturedLogs atLevel(Level level) {
    return new CapturedLogs(level);
  }

  /** The messages and stack traces so far, one event a line (stack traces over several). */
  public String text() {
    return String.join("\n", appender.events);
  }

  /** {@code failure}'s stack trace as printed, causes included: what a log line would show. */
  public static String stackTraceOf(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    return text.toString();
  }

  public int events() {
    return appender.events.size();
  }

  @Override
  public void close() {
    root.removeAppender(APPENDER_NAME);
    root.setLevel(rootLevelBefore);
    context.updateLoggers();
    appender.stop();
  }

  private static final class Appender extends AbstractAppender {
    private final Queue<String> events = new ConcurrentLinkedQueue<>();

    Appender() {
      super(APPENDER_NAME, null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      StringWriter text = new StringWriter();
      text.append(event.getLoggerName())
          .append(' ')
          .append(event.getMessage().getFormattedMessage());
      if (event.getThrown() != null) {
        text.append('\n').append(stackTraceOf(event.getThrown()));
      }
      events.add(text.toString());
    }
  }
}
