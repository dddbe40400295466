package org.flagstate.cache;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.atomic.AtomicReference;

/**
 * When this node last learned of an applied registry event, as the HTTP date every index response
 * carries in {@code Flagstate-Last-Event}; a client can tell how current the answer is.
 */
public final class IndexFreshness {

  public static final String HEADER = "Flagstate-Last-Event";
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  private final AtomicReference<Instant> lastEvent = new AtomicReference<>();
  private volatile String header;

  /** Records an applied event; an older time than the one known is ignored. */
  public void eventApplied(Instant at) {
    Instant newest =
        lastEvent.accumulateAndGet(
            at, (known, given) -> known == null || given.isAfter(known) ? given : known);
    header = HTTP_DATE.format(newest);
  }

  /** Seconds from the newest applied event to now, NaN before the first. */
  public double lagSeconds() {
    Instant last = lastEvent.get();
    return last == null ? Double.NaN : (System.currentTimeMillis() - last.toEpochMilli()) / 1000.0;
  }

  /** The header value, or null before the first event. */
  public String lastEventHeader() {
    return header;
  }
}
