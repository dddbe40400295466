package org.flagstate.http;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one answer for a read that could not be done now: 503 with Retry-After and a JSON body that
 * says why (too much uncached work: retry in a second; the database did not answer: retry shortly).
 * Database failures are logged once per outage, never once per request.
 */
public final class Unavailable {

  private static final Logger LOG = LoggerFactory.getLogger(Unavailable.class);
  private static final OutageLog DATABASE_OUTAGE =
      new OutageLog(
          LOG,
          "Reading the index database failed; answering with the last good bytes where known, else 503");

  /**
   * How long a refusal by admission control waits before it is sent. A client that floods with
   * uncached queries then gets at most a few refusals per connection and second instead of
   * thousands, so the refusals themselves cannot take the event loops from cached answers; a
   * well-behaved client waits a second anyway (Retry-After). Holds only a timer.
   */
  static final long OVERLOADED_DELAY_MS = 250;

  private Unavailable() {}

  /** Records a read that succeeded: ends a running outage with one log line. */
  public static void recovered() {
    DATABASE_OUTAGE.succeeded();
  }

  /**
   * Records why a read failed; logged once per outage (refusals by admission control are not
   * failures).
   */
  public static void failed(Throwable cause) {
    if (!(cause instanceof AdmissionControl.Overloaded)) {
      DATABASE_OUTAGE.failed(cause);
    }
  }

  /** Records the failure and answers 503 for it. */
  public static void send(HttpServerResponse response, Throwable cause) {
    failed(cause);
    if (cause instanceof AdmissionControl.Overloaded) {
      Runnable refuse =
          () -> {
            if (response.closed() || response.ended()) {
              return;
            }
            response.putHeader("Retry-After", "1");
            ErrorResponses.send(
                response,
                503,
                "OVERLOADED",
                "too many uncached requests right now ("
                    + cause.getMessage()
                    + "); try again in a second",
                null);
          };
      Context context = Vertx.currentContext();
      if (context == null) {
        refuse.run();
      } else {
        // a timer set on a context fires on it
        context.owner().setTimer(OVERLOADED_DELAY_MS, id -> refuse.run());
      }
    } else {
      response.putHeader("Retry-After", "5");
      ErrorResponses.send(
          response,
          503,
          "UNAVAILABLE",
          "the index database did not answer; try again shortly",
          null);
    }
  }
}
