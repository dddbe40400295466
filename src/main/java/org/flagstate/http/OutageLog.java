package org.flagstate.http;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * Logs an outage once, not once per failed request: the first failure is logged with its cause, a
 * running count at most once a minute while it lasts, and the recovery with the count and duration.
 * Anonymous clients can make requests fail by the thousand a second (a database restart during a
 * flood); the log must stay readable and bounded. Safe to use from any thread.
 */
public final class OutageLog {

  private static final Duration SUMMARY_PERIOD = Duration.ofMinutes(1);

  private final Logger log;
  private final String what;
  private volatile boolean failing;
  private long failures;
  private long startedAtNanos;
  private long lastSummaryNanos;

  /**
   * @param what the outage in words, e.g. "Rendering from the database failed"
   */
  public OutageLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  /** Records one failure; logs only the first of an outage and a periodic count. */
  public void failed(Throwable cause) {
    failed(cause == null ? null : String.valueOf(cause.getMessage()));
  }

  public void failed() {
    failed((String) null);
  }

  private synchronized void failed(String cause) {
    long now = System.nanoTime();
    if (failures++ == 0) {
      failing = true;
      startedAtNanos = now;
      lastSummaryNanos = now;
      log.warn(
          "{}{}; further failures are counted, not logged one by one",
          what,
          cause == null ? "" : ": " + cause);
    } else if (now - lastSummaryNanos >= SUMMARY_PERIOD.toNanos()) {
      lastSummaryNanos = now;
      log.warn(
          "{}: still failing, {} failures in {} s{}",
          what,
          failures,
          seconds(now - startedAtNanos),
          cause == null ? "" : " (last: " + cause + ")");
    }
  }

  /** Records a success; ends an outage, if one is running, with one line. */
  public void succeeded() {
    if (!failing) {
      return;
    }
    long ended;
    long count;
    synchronized (this) {
      if (failures == 0) {
        return;
      }
      count = failures;
      ended = System.nanoTime() - startedAtNanos;
      failures = 0;
      failing = false;
    }
    log.info("{}: recovered after {} failures in {} s", what, count, seconds(ended));
  }

  /** Failures of the running outage (0 when there is none). */
  public synchronized long failures() {
    return failures;
  }

  private static long seconds(long nanos) {
    return Math.max(0, Duration.ofNanos(nanos).toSeconds());
  }
}
