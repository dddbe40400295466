package org.flagstate.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the version of every HTTP/1.x request line before Vert.x does, so that no version a client
 * can send gets Vert.x's own empty {@code 501}: a 1.x version above 1.1 ({@code HTTP/1.2} to {@code
 * HTTP/1.9}) is served as HTTP/1.1, as RFC 9112 §2.3 asks of a recipient; any other version the
 * codec read ({@code HTTP/2.0}, {@code HTTP/0.9}, {@code FOO/1.1}, lower-case {@code http/1.1})
 * becomes a request the codec could not read, which {@link InvalidRequests} answers with a JSON
 * {@code 400} (a {@code 505} would be a 5xx) and a closed connection.
 *
 * <p><b>Why a Netty handler.</b> Checked against Vert.x 5.0.7: {@code
 * Http1xServerRequest.version()} is null unless Netty's {@code HttpRequest.protocolVersion()} is
 * one of the constants {@link HttpVersion#HTTP_1_0} and {@link HttpVersion#HTTP_1_1} (which Netty
 * returns for exactly {@code HTTP/1.0} and {@code HTTP/1.1}; other spellings, even {@code
 * http/1.1}, are new instances), and {@code Http1xServerRequestHandler.handle}, which wraps the
 * server's request handler, then answers {@code 501} with no body, echoing the client's version in
 * the status line, and closes, before any handler of ours runs; no public API runs earlier. This
 * handler sits just before Vert.x's connection handler (named {@code "handler"}, after the decoder
 * and the optional inflater and deflater) and fixes up the decoded request instead: the version
 * becomes the {@link HttpVersion#HTTP_1_1} constant (so the status line is {@code HTTP/1.1} too)
 * and, when the request is not to be served, its {@link DecoderResult} a failure, which Vert.x
 * routes to the invalid request handler. The request goes on through Vert.x's own queue, so
 * pipelined requests are still answered in order; keep-alive is untouched for HTTP/1.0 and
 * HTTP/1.1.
 *
 * <p><b>Internal API.</b> The connection's channel is reached through {@code
 * io.vertx.core.net.impl.ConnectionBase#channel()} (an HTTP/1.x server connection is an {@code
 * Http1xServerConnection}, which extends it). The connection handler runs synchronously on the
 * event loop once Vert.x has built the HTTP/1.x pipeline and before the first byte is decoded
 * ({@code HttpServerConnectionInitializer.configureHttp1Handler}, with h2c off as on both of
 * Flagstate's listeners), so the handler is in place for the first request. If a later Vert.x
 * changes any of this, {@link #install} logs a warning once and leaves the connection alone; {@code
 * FuzzPublicListenerIT.unsupportedHttpVersionsAreA4xxWithAJsonBody} and its webhook twin then fail.
 */
@ChannelHandler.Sharable
public final class HttpVersionGuard extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(HttpVersionGuard.class);

  private static final HttpVersionGuard INSTANCE = new HttpVersionGuard();

  /** Vert.x's connection handler, the end of its HTTP/1.x pipeline. */
  private static final String VERTX_HANDLER = "handler";

  private static final String NAME = "flagstateHttpVersion";

  private static final AtomicBoolean WARNED = new AtomicBoolean();

  private HttpVersionGuard() {}

  /**
   * For {@code HttpServer.connectionHandler}, before anything else there: puts the guard into an
   * HTTP/1.x connection's pipeline (HTTP/2 connections have no request line and are left alone).
   */
  public static void install(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      warnOnce("the connection is a " + connection.getClass().getName());
      return;
    }
    ChannelPipeline pipeline = base.channel().pipeline();
    if (pipeline.get(HttpRequestDecoder.class) == null) {
      return; // HTTP/2
    }
    if (pipeline.get(VERTX_HANDLER) == null) {
      warnOnce("the pipeline has no handler named '" + VERTX_HANDLER + "': " + pipeline.names());
      return;
    }
    if (pipeline.get(NAME) == null) {
      pipeline.addBefore(VERTX_HANDLER, NAME, INSTANCE);
    }
  }

  private static void warnOnce(String what) {
    if (WARNED.compareAndSet(false, true)) {
      LOG.warn(
          "Cannot check HTTP versions ahead of Vert.x ({}); a request line with a version other"
              + " than HTTP/1.0 or HTTP/1.1 gets Vert.x's empty 501",
          what);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      HttpVersion version = request.protocolVersion();
      if (version != HttpVersion.HTTP_1_1 && version != HttpVersion.HTTP_1_0) {
        admit(request, version);
      }
    }
    ctx.fireChannelRead(msg);
  }

  private static void admit(HttpRequest request, HttpVersion version) {
    request.setProtocolVersion(HttpVersion.HTTP_1_1);
    if (request.decoderResult().isFailure()) {
      return; // already refused by the codec; only the status line's version is ours
    }
    // The grammar is "HTTP/" DIGIT "." DIGIT, case-sensitive. Netty has upper-cased the name and
    // dropped leading zeros by now, so "http/1.2" and "HTTP/01.2" are served like HTTP/1.2 (they
    // cannot be told apart from it here); "http/1.1" and "HTTP/01.1" arrive as copies of HTTP/1.1
    // (equal, not the constant) and are refused, as are two-digit minors ("HTTP/1.10")
    boolean laterMinor =
        version.protocolName().equals("HTTP")
            && version.majorVersion() == 1
            && version.minorVersion() >= 2
            && version.minorVersion() <= 9;
    if (!laterMinor) {
      request.setDecoderResult(
          DecoderResult.failure(new UnsupportedVersion(version.text() + " is not served")));
    }
  }

  /** The codec's failure for a version not served; {@link InvalidRequests} answers it. */
  static final class UnsupportedVersion extends DecoderException {

    private static final long serialVersionUID = 1L;

    UnsupportedVersion(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // a client's doing, not a place in the code
    }
  }
}
