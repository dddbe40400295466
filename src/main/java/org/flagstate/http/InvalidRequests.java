package org.flagstate.http;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * Answers requests the HTTP codec could not read (a request line over the limit, headers too large,
 * a broken request, an HTTP version not served: see {@link HttpVersionGuard}) with the same JSON
 * error body as every other refusal, where Vert.x's default handler sends an empty 414, 431 or 400.
 * The connection is closed afterwards, as the default handler does.
 */
public final class InvalidRequests implements Handler<HttpServerRequest> {

  public static final InvalidRequests HANDLER = new InvalidRequests();

  private InvalidRequests() {}

  @Override
  public void handle(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String code;
    String text;
    if (cause instanceof TooLongHttpLineException) {
      status = 414;
      code = "URI_TOO_LONG";
      text = "the request line is too long; send a shorter query";
    } else if (cause instanceof TooLongHttpHeaderException) {
      status = 431;
      code = "HEADERS_TOO_LARGE";
      text = "the request headers are too large; send fewer or smaller headers";
    } else if (cause instanceof HttpVersionGuard.UnsupportedVersion) {
      status = 400;
      code = "HTTP_VERSION_NOT_SUPPORTED";
      text = "the request line's HTTP version is not served here; send HTTP/1.1";
    } else {
      status = 400;
      code = "BAD_REQUEST";
      text = "the request could not be read as HTTP/1.1";
    }
    request.response().putHeader("Connection", "close");
    ErrorResponses.send(request.response(), status, code, text, null);
    request.response().closeHandler(null);
    request.connection().close();
  }
}
