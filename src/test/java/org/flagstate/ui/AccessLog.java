package org.flagstate.ui;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * The public listener's access log ({@code http.access_log}) as the test JVM's Flagstate writes it:
 * every request line it logged, so a test can show that no request carried something.
 */
final class AccessLog implements AutoCloseable {

  /** The logger Vert.x Web 5's LoggerHandler writes to (not its Impl class, as the README says). */
  static final String LOGGER = "io.vertx.ext.web.handler.LoggerHandler";

  private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  AccessLog() {
    appender.start();
    logger.addAppender(appender);
  }

  /** Every line logged so far. */
  List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  int size() {
    synchronized (appender) {
      return appender.list.size();
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
  }
}
