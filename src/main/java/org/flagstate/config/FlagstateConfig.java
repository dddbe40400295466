package org.flagstate.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * The whole configuration, checked and typed, handed to every verticle at deployment. Immutable, so
 * verticles on different event loops can share it.
 */
public record FlagstateConfig(
    Registry registry, Http http, Webhook webhook, Database database, Cache cache, Crawl crawl, Query query,
    Metrics metrics, Ui ui) {

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
      Duration keepAliveTimeout, Duration requestTimeout, int maxConnections) {}

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

  /**
   * The web UI: whether it is served, which label marks a Cockpit plugin, and the remote name its
   * Flatpak commands suggest.
   */
  public record Ui(boolean enabled, String cockpitLabel, String flatpakRemote) {
    public Ui {
      if (cockpitLabel.isBlank()) {
        throw new ConfigException("configuration key ui.cockpit_label is empty, but it must name a label such as "
            + "org.cockpit-project.plugin");
      }
      if (!flatpakRemote.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new ConfigException("configuration key ui.flatpak_remote is '" + flatpakRemote
            + "', but it must be a remote name of letters, digits, '.', '_' or '-' such as flagstate");
      }
    }
  }

  /** Limits on index queries. */
  public record Query(int maxTerms, int maxQueryBytes) {}

  static FlagstateConfig from(Map<String, Object> v) {
    return new FlagstateConfig(
        new Registry(registryUrl((String) v.get("registry.url")), (String) v.get("registry.username"),
            (String) v.get("registry.password"), (String) v.get("registry.public_url"),
            (Boolean) v.get("registry.front"), (Boolean) v.get("registry.front_credentials")),
        new Http((String) v.get("http.host"), (Integer) v.get("http.port"), pathPrefix((String) v.get("http.path_prefix")),
            (Boolean) v.get("http.access_log"), (Duration) v.get("http.header_timeout"),
            (Duration) v.get("http.keep_alive_timeout"), (Duration) v.get("http.request_timeout"),
            (Integer) v.get("http.max_connections")),
        new Webhook((String) v.get("webhook.host"), (Integer) v.get("webhook.port"), (String) v.get("webhook.token"),
            (Integer) v.get("webhook.max_body_bytes")),
        new Database((String) v.get("database.url"), (String) v.get("database.data_dir"),
            (Integer) v.get("database.pool_size"), (Duration) v.get("database.statement_timeout")),
        new Cache((Duration) v.get("cache.static_max_age"), (Long) v.get("cache.max_bytes"),
            (Long) v.get("cache.max_body_bytes")),
        new Crawl((Duration) v.get("crawl.interval"), (Integer) v.get("crawl.concurrency"),
            (Duration) v.get("crawl.request_timeout"), (Integer) v.get("crawl.retries"),
            (Duration) v.get("crawl.retry_backoff"), (Duration) v.get("crawl.start_backoff_max")),
        new Query((Integer) v.get("query.max_terms"), (Integer) v.get("query.max_query_bytes")),
        new Metrics(metricsListener((String) v.get("metrics.listener"))),
        new Ui((Boolean) v.get("ui.enabled"), (String) v.get("ui.cockpit_label"), (String) v.get("ui.flatpak_remote")));
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
