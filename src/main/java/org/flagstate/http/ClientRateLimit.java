package org.flagstate.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Set;

/**
 * An optional per-client request rate on the endpoints whose answers a client can make uncached at
 * will ({@code /index/dynamic}, search, the JSON API): a token bucket of {@code http.client_burst}
 * requests refilled at {@code http.client_rate} per second, past which the client gets 429 with
 * Retry-After. The client is the socket's peer, or the address a trusted proxy ({@code
 * http.trusted_proxies}) names in {@code http.client_address_header}. Buckets live in a bounded
 * cache, so many clients cost bounded memory.
 */
public final class ClientRateLimit implements Handler<RoutingContext> {

  private static final int MAX_CLIENTS = 100_000;

  private final double perSecond;
  private final int burst;
  private final String addressHeader;
  private final Set<String> trustedProxies;
  private final Cache<String, Bucket> buckets =
      Caffeine.newBuilder()
          .maximumSize(MAX_CLIENTS)
          .expireAfterAccess(Duration.ofMinutes(10))
          .build();

  private static final class Bucket {
    private double tokens;
    private long refilledAtNanos;

    Bucket(int burst) {
      tokens = burst;
      refilledAtNanos = System.nanoTime();
    }

    /** Takes a token; returns 0 when granted, else the seconds until one is available. */
    synchronized long take(double perSecond, int burst) {
      long now = System.nanoTime();
      tokens = Math.min(burst, tokens + (now - refilledAtNanos) / 1e9 * perSecond);
      refilledAtNanos = now;
      if (tokens >= 1) {
        tokens -= 1;
        return 0;
      }
      return Math.max(1, (long) Math.ceil((1 - tokens) / perSecond));
    }
  }

  public ClientRateLimit(
      double perSecond, int burst, String addressHeader, Set<String> trustedProxies) {
    this.perSecond = perSecond;
    this.burst = burst;
    this.addressHeader = addressHeader;
    this.trustedProxies = Set.copyOf(trustedProxies);
  }

  @Override
  public void handle(RoutingContext ctx) {
    String client = client(ctx.request());
    long wait = buckets.get(client, key -> new Bucket(burst)).take(perSecond, burst);
    if (wait == 0) {
      ctx.next();
      return;
    }
    ctx.response().putHeader("Retry-After", Long.toString(wait));
    ErrorResponses.send(
        ctx.response(),
        429,
        "RATE_LIMITED",
        "more than "
            + burst
            + " requests at once or "
            + perSecond
            + " a second from "
            + client
            + " (http.client_rate); try again in "
            + wait
            + " s",
        null);
  }

  /**
   * The client's address: the socket peer, or what a trusted proxy says (its first, leftmost
   * entry).
   */
  String client(HttpServerRequest request) {
    String peer =
        request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    if (addressHeader.isEmpty() || !trustedProxies.contains(peer)) {
      return peer;
    }
    String forwarded = request.getHeader(addressHeader);
    if (forwarded == null || forwarded.isBlank()) {
      return peer;
    }
    String first = forwarded.split(",", 2)[0].strip();
    return first.isEmpty() || first.length() > 64 ? peer : first;
  }
}
