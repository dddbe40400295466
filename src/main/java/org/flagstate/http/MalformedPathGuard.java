package org.flagstate.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers a request whose path has a broken %-escape ({@code /index/%zz}, a trailing {@code %4})
 * with a JSON 400 before vertx-web sees it. The router's path normalisation throws on such paths,
 * which it logs as an unhandled error with a stack trace and answers in plain text: a client could
 * fill the log with errors that are its own mistake. The same for a {@code Host} header Vert.x
 * 5.0.7 cannot parse ({@code Host: %zz}): its authority check throws out of the router, so the
 * request was never answered and the connection stayed open.
 */
public final class MalformedPathGuard implements Handler<HttpServerRequest> {

  private final Handler<HttpServerRequest> next;

  public MalformedPathGuard(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest request) {
    if (hasBrokenEscape(request.path())) {
      ErrorResponses.send(
          request.response(),
          400,
          "BAD_REQUEST",
          "the path has a malformed %-escape: a % must be followed by two hex digits",
          null);
    } else if (hasUnreadableHost(request)) {
      ErrorResponses.send(
          request.response(),
          400,
          "BAD_REQUEST",
          "the Host header is not a host name or address",
          null);
    } else {
      next.handle(request);
    }
  }

  /**
   * Vert.x's parser of the {@code Host} header throws on some malformed values instead of answering
   * null (5.0.7: {@code HostAndPortImpl.parseRegName} reads past the end of {@code %zz}); the
   * router's authority check uses the same parser.
   */
  private static boolean hasUnreadableHost(HttpServerRequest request) {
    try {
      request.authority();
      return false;
    } catch (RuntimeException e) {
      return true;
    }
  }

  static boolean hasBrokenEscape(String path) {
    if (path == null) {
      return false;
    }
    for (int i = path.indexOf('%'); i >= 0; i = path.indexOf('%', i + 1)) {
      if (i + 2 >= path.length()
          || QueryStrings.hex(path.charAt(i + 1)) < 0
          || QueryStrings.hex(path.charAt(i + 2)) < 0) {
        return true;
      }
    }
    return false;
  }
}
