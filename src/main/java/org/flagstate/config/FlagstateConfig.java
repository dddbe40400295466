package org.flagstate.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration, checked and typed, handed to every verticle at deployment. Immutable, so
 * verticles on different event loops can share it.
 */
public record FlagstateConfig(
    Registry registry, Http http, Webhook webhook, Database database, Cache cache, Crawl crawl, Query query,
    Metrics metrics) {

  /** Where the registry is and how to reach it. */
  public record Registry(URI url, String username, String password, String publicUrl, boolean front,
      boolean frontCredentials) {
    public Registry {
      Objects.requireNonNull(url, "registry.url");
    }

    public boolean hasCredentials() {
      return !username.isEmpty();
    }

    /** The {@code Registry} value of index responses. */
    public String advertisedUrl() {
      if (!publicUrl.isEmpty()) {
        return publicUrl;
      }
      String text = url.toString();
      return text.endsWith("/") ? text : text + "/";
    }
  }

  /** The public query listener. */
  public record Http(String host, int port, String pathPrefix, boolean accessLog, Duration headerTimeout,
      Duration keepAliveTimeout, Duration requestTimeout, int maxConnections, int clientRate, int clientBurst,
      String clientAddressHeader, Set<String> trustedProxies, String auth, String authFile) {
    public Http {
      trustedProxies = Set.copyOf(trustedProxies);
    }
  }

  /** Where {@code GET /metrics} is served. */
  public enum MetricsListener {
    /** On the registry-notification listener only (kept off the public one). */
    WEBHOOK,
    /** On the public listener (and not on the webhook one). */
    PUBLIC,
    /** Nowhere. */
    NONE
  }

  /** Operator-facing metrics. */
  public record Metrics(MetricsListener listener) {}

  /** The listener for registry notifications ({@code POST /events}). */
  public record Webhook(String host, int port, String token, int maxBodyBytes) {
    public boolean requiresToken() {
      return !token.isEmpty();
    }
  }

  /** PostgreSQL: a server by URL, or an embedded one under {@code dataDir}. */
  public record Database(String url, String dataDir, int poolSize, Duration statementTimeout) {
    public boolean embedded() {
      return url.isEmpty();
    }
  }

  /** Response caching. */
  public record Cache(Duration staticMaxAge, long maxBytes, long maxBodyBytes) {}

  /** How the crawler talks to the registry. */
  public record Crawl(Duration interval, int concurrency, Duration requestTimeout, int retries,
      Duration retryBackoff, Duration startBackoffMax) {}

  /** Limits on index queries. */
  public record Query(int maxTerms, int maxQueryBytes, int maxConcurrent, int maxQueued, Duration queueTimeout) {}

  static FlagstateConfig from(Map<String, Object> v) {
    return new FlagstateConfig(
        new Registry(registryUrl((String) v.get("registry.url")), (String) v.get("registry.username"),
            (String) v.get("registry.password"), (String) v.get("registry.public_url"),
            (Boolean) v.get("registry.front"), (Boolean) v.get("registry.front_credentials")),
        new Http((String) v.get("http.host"), (Integer) v.get("http.port"), pathPrefix((String) v.get("http.path_prefix")),
            (Boolean) v.get("http.access_log"), (Duration) v.get("http.header_timeout"),
            (Duration) v.get("http.keep_alive_timeout"), (Duration) v.get("http.request_timeout"),
            (Integer) v.get("http.max_connections"), (Integer) v.get("http.client_rate"),
            (Integer) v.get("http.client_burst"), (String) v.get("http.client_address_header"),
            list((String) v.get("http.trusted_proxies")), (String) v.get("http.auth"),
            (String) v.get("http.auth_file")),
        new Webhook((String) v.get("webhook.host"), (Integer) v.get("webhook.port"), (String) v.get("webhook.token"),
            (Integer) v.get("webhook.max_body_bytes")),
        new Database((String) v.get("database.url"), (String) v.get("database.data_dir"),
            (Integer) v.get("database.pool_size"), (Duration) v.get("database.statement_timeout")),
        new Cache((Duration) v.get("cache.static_max_age"), (Long) v.get("cache.max_bytes"),
            (Long) v.get("cache.max_body_bytes")),
        new Crawl((Duration) v.get("crawl.interval"), (Integer) v.get("crawl.concurrency"),
            (Duration) v.get("crawl.request_timeout"), (Integer) v.get("crawl.retries"),
            (Duration) v.get("crawl.retry_backoff"), (Duration) v.get("crawl.start_backoff_max")),
        new Query((Integer) v.get("query.max_terms"), (Integer) v.get("query.max_query_bytes"),
            (Integer) v.get("query.max_concurrent"), (Integer) v.get("query.max_queued"),
            (Duration) v.get("query.queue_timeout")),
        new Metrics(metricsListener((String) v.get("metrics.listener"))));
  }

  /** A comma-separated list, blanks dropped. */
  private static Set<String> list(String text) {
    Set<String> items = new java.util.LinkedHashSet<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.strip());
      }
    }
    return items;
  }

  private static MetricsListener metricsListener(String text) {
    for (MetricsListener listener : MetricsListener.values()) {
      if (listener.name().equalsIgnoreCase(text)) {
        return listener;
      }
    }
    throw new ConfigException("configuration key metrics.listener is '" + text
        + "', but it must be webhook, public or none");
  }

  private static URI registryUrl(String text) {
    try {
      URI uri = URI.create(text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException("configuration key registry.url is '" + text
          + "', but it must be an http:// or https:// URL such as http://127.0.0.1:5000");
    }
  }

  private static String pathPrefix(String prefix) {
    if (prefix.isEmpty() || prefix.equals("/")) {
      return "";
    }
    if (!prefix.startsWith("/") || prefix.contains("?") || prefix.contains("#")) {
      throw new ConfigException("configuration key http.path_prefix is '" + prefix
          + "', but it must be empty or a path starting with / such as /flagstate");
    }
    return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }
}
