package org.flagstate.cache;

import java.util.Map;

/**
 * What a renderer produces for the cache: the body, and headers that belong to exactly these bytes
 * (such as {@code Link} to the next page), kept and sent with them, 304s included.
 */
public record RenderedBody(byte[] bytes, Map<String, String> headers) {

  public RenderedBody {
    headers = Map.copyOf(headers);
  }

  public static RenderedBody of(byte[] bytes) {
    return new RenderedBody(bytes, Map.of());
  }
}
