package org.flagstate.api;

import java.util.LinkedHashMap;
import java.util.Map;
import org.flagstate.cache.RenderedResponse;

/**
 * Which {@code next} cursor each rendered page body carries, by that body's ETag, so the {@code Link}
 * header can be added to a response served from the shared response cache without parsing its bytes.
 * The ETag is derived from the bytes and the bytes contain the cursor, so an entry can never be stale;
 * the map only has to outlive the cached body, which holding the most recently served pages ensures.
 * One instance serves every query verticle of the process, like the response cache.
 */
final class NextCursors {

  /** The marker stored for a last page (no {@code next}). */
  private static final String NONE = "";

  private final Map<String, String> byEtag;

  NextCursors(int maxEntries) {
    this.byEtag = new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
        return size() > maxEntries;
      }
    };
  }

  /** Remembers the cursor of a page body (null: it is the last page); returns the body. */
  byte[] remember(byte[] body, String nextCursor) {
    RenderedResponse validators = RenderedResponse.of(body, 0);
    String value = nextCursor == null ? NONE : nextCursor;
    synchronized (byEtag) {
      byEtag.put(validators.etag(), value);
      byEtag.put(validators.gzipEtag(), value);
    }
    return body;
  }

  /** The next cursor of the body served with {@code etag}, or null when it is the last page or unknown. */
  String next(String etag) {
    if (etag == null) {
      return null;
    }
    String value;
    synchronized (byEtag) {
      value = byEtag.get(etag);
    }
    return value == null || value.equals(NONE) ? null : value;
  }
}
