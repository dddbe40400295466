package org.flagstate.http;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps slow or idle clients from holding the public listener: a connection must deliver a complete
 * request head within {@code http.header_timeout} of opening, and the next one within {@code
 * http.keep_alive_timeout} of the previous response, however slowly it trickles bytes (an idle
 * timeout alone never fires for a client that sends one byte every few seconds); past {@code
 * http.max_connections} open connections on this node, new ones are closed at once. One guard per
 * listener instance, all sharing one connection count; used on that instance's event loop only.
 */
public final class ConnectionGuard {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionGuard.class);

  private final Vertx vertx;
  private final Duration headerTimeout;
  private final Duration keepAliveTimeout;
  private final int maxConnections;
  private final AtomicInteger open;
  private final OutageLog refusals;
  private final Map<HttpConnection, Long> waitingForHead = new HashMap<>();

  /**
   * @param open the count of open connections, shared by every instance of the listener
   */
  public ConnectionGuard(
      Vertx vertx,
      Duration headerTimeout,
      Duration keepAliveTimeout,
      int maxConnections,
      AtomicInteger open) {
    this.vertx = vertx;
    this.headerTimeout = headerTimeout;
    this.keepAliveTimeout = keepAliveTimeout;
    this.maxConnections = maxConnections;
    this.open = open;
    this.refusals =
        new OutageLog(
            LOG, "Refusing connections: " + maxConnections + " are open (http.max_connections)");
  }

  /** For {@code HttpServer.connectionHandler}. */
  public void connected(HttpConnection connection) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      refusals.failed();
      connection.close();
      return;
    }
    refusals.succeeded();
    connection.closeHandler(
        closed -> {
          open.decrementAndGet();
          cancel(connection);
        });
    await(connection, headerTimeout);
  }

  /**
   * Wraps the request handler: a request head arrived, so the connection is no longer waited on
   * until its response ends (answered at once, or reported by {@link #trackResponses()}).
   */
  public Handler<HttpServerRequest> guarding(Handler<HttpServerRequest> handler) {
    return request -> {
      cancel(request.connection());
      handler.handle(request);
      if (request.response().ended()) {
        await(request.connection(), keepAliveTimeout);
      }
    };
  }

  /** The first handler of the router: when a response ends, the next request head is waited for. */
  public Handler<RoutingContext> trackResponses() {
    return ctx -> {
      HttpConnection connection = ctx.request().connection();
      ctx.addEndHandler(
          ended -> {
            if (!waitingForHead.containsKey(connection)) {
              await(connection, keepAliveTimeout);
            }
          });
      ctx.next();
    };
  }

  private void await(HttpConnection connection, Duration timeout) {
    long timer =
        vertx.setTimer(
            timeout.toMillis(),
            id -> {
              if (waitingForHead.remove(connection) != null) {
                connection.close();
              }
            });
    Long previous = waitingForHead.put(connection, timer);
    if (previous != null) {
      vertx.cancelTimer(previous);
    }
  }

  private void cancel(HttpConnection connection) {
    Long timer = waitingForHead.remove(connection);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }
}
