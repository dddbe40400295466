package org.flagstate.config;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The whole configuration, checked and typed, handed to every verticle at deployment. Immutable, so
 * verticles on different event loops can share it.
 */
public record FlagstateConfig(
    Registry registry,
    Http http,
    Webhook webhook,
    Database database,
    Cache cache,
    Crawl crawl,
    Query query,
    Metrics metrics,
    Cluster cluster,
    Ui ui) {

  /** Where the registry is and how to reach it. */
  public record Registry(
      URI url,
      String username,
      String password,
      String publicUrl,
      boolean front,
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
  public record Http(
      String host,
      int port,
      String pathPrefix,
      boolean accessLog,
      Duration headerTimeout,
      Duration keepAliveTimeout,
      Duration requestTimeout,
      int maxConnections,
      int clientRate,
      int clientBurst,
      String clientAddressHeader,
      Set<String> trustedProxies,
      String auth,
      String authFile) {
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
  public record Cache(Duration staticMaxAge, long maxBytes, long maxBodyBytes, long searchBytes) {}

  /** How the crawler talks to the registry. */
  public record Crawl(
      Duration interval,
      int concurrency,
      Duration requestTimeout,
      int retries,
      Duration retryBackoff,
      Duration startBackoffMax) {}

  /**
   * The web UI: whether it is served, which label marks a Cockpit plugin, and the remote name its
   * Flatpak commands suggest.
   */
  public record Ui(boolean enabled, String cockpitLabel, String flatpakRemote) {
    public Ui {
      if (cockpitLabel.isBlank()) {
        throw new ConfigException(
            "configuration key ui.cockpit_label is empty, but it must name a label such as "
                + "org.cockpit-project.plugin");
      }
      if (!flatpakRemote.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
        throw new ConfigException(
            "configuration key ui.flatpak_remote is '"
                + flatpakRemote
                + "', but it must be a remote name of letters, digits, '.', '_' or '-' such as flagstate");
      }
    }
  }

  /** Limits on index queries. */
  public record Query(
      int maxTerms, int maxQueryBytes, int maxConcurrent, int maxQueued, Duration queueTimeout) {}

  /**
   * Several nodes on one database: whether this node joins a cluster, where it listens for the
   * other nodes (Hazelcast membership on {@code port}, event-bus messages on {@code busPort}, both
   * on {@code host}) and whom it asks to join ({@code members}, each {@code host:port}).
   */
  public record Cluster(
      boolean enabled, String host, int port, int busPort, List<String> members, String name) {
    public Cluster {
      members = List.copyOf(members);
    }
  }

  static FlagstateConfig from(Map<String, Object> v) {
    return new FlagstateConfig(
        new Registry(
            registryUrl((String) v.get("registry.url")),
            (String) v.get("registry.username"),
            (String) v.get("registry.password"),
            (String) v.get("registry.public_url"),
            (Boolean) v.get("registry.front"),
            (Boolean) v.get("registry.front_credentials")),
        new Http(
            (String) v.get("http.host"),
            (Integer) v.get("http.port"),
            pathPrefix((String) v.get("http.path_prefix")),
            (Boolean) v.get("http.access_log"),
            (Duration) v.get("http.header_timeout"),
            (Duration) v.get("http.keep_alive_timeout"),
            (Duration) v.get("http.request_timeout"),
            (Integer) v.get("http.max_connections"),
            (Integer) v.get("http.client_rate"),
            (Integer) v.get("http.client_burst"),
            (String) v.get("http.client_address_header"),
            list((String) v.get("http.trusted_proxies")),
            (String) v.get("http.auth"),
            (String) v.get("http.auth_file")),
        new Webhook(
            (String) v.get("webhook.host"),
            (Integer) v.get("webhook.port"),
            (String) v.get("webhook.token"),
            (Integer) v.get("webhook.max_body_bytes")),
        new Database(
            (String) v.get("database.url"),
            (String) v.get("database.data_dir"),
            (Integer) v.get("database.pool_size"),
            (Duration) v.get("database.statement_timeout")),
        new Cache(
            (Duration) v.get("cache.static_max_age"),
            (Long) v.get("cache.max_bytes"),
            (Long) v.get("cache.max_body_bytes"),
            (Long) v.get("cache.search_bytes")),
        new Crawl(
            (Duration) v.get("crawl.interval"),
            (Integer) v.get("crawl.concurrency"),
            (Duration) v.get("crawl.request_timeout"),
            (Integer) v.get("crawl.retries"),
            (Duration) v.get("crawl.retry_backoff"),
            (Duration) v.get("crawl.start_backoff_max")),
        new Query(
            (Integer) v.get("query.max_terms"),
            (Integer) v.get("query.max_query_bytes"),
            (Integer) v.get("query.max_concurrent"),
            (Integer) v.get("query.max_queued"),
            (Duration) v.get("query.queue_timeout")),
        new Metrics(metricsListener((String) v.get("metrics.listener"))),
        cluster(v),
        new Ui(
            (Boolean) v.get("ui.enabled"),
            (String) v.get("ui.cockpit_label"),
            (String) v.get("ui.flatpak_remote")));
  }

  private static Cluster cluster(Map<String, Object> v) {
    String host = ((String) v.get("cluster.host")).trim();
    int port = (Integer) v.get("cluster.port");
    int busPort = (Integer) v.get("cluster.bus_port");
    boolean enabled = (Boolean) v.get("cluster.enabled");
    if (host.isEmpty()) {
      throw new ConfigException(
          "configuration key cluster.host is empty, but it must be the address other nodes "
              + "reach this one at, such as 10.0.0.5");
    }
    if (enabled && port == busPort) {
      throw new ConfigException(
          "configuration keys cluster.port and cluster.bus_port are both "
              + port
              + ", but Hazelcast and the event bus each need a port of their own");
    }
    if (enabled && ((String) v.get("database.url")).isEmpty()) {
      throw new ConfigException(
          "configuration key cluster.enabled is true, but database.url is empty: the nodes of a "
              + "cluster share one PostgreSQL, so give its URL (postgresql://user:password@host:5432/db)");
    }
    String name = ((String) v.get("cluster.name")).trim();
    if (name.isEmpty()) {
      throw new ConfigException(
          "configuration key cluster.name is empty, but it must name the cluster, such as "
              + "flagstate");
    }
    return new Cluster(
        enabled, host, port, busPort, clusterMembers((String) v.get("cluster.members")), name);
  }

  private static List<String> clusterMembers(String text) {
    List<String> members = new ArrayList<>();
    for (String part : text.split(",")) {
      String member = part.trim();
      if (member.isEmpty()) {
        continue;
      }
      int colon = member.lastIndexOf(':');
      boolean valid =
          colon > 0
              && colon < member.length() - 1
              && member.substring(colon + 1).matches("\\d{1,5}")
              && Integer.parseInt(member.substring(colon + 1)) >= 1
              && Integer.parseInt(member.substring(colon + 1)) <= 65535;
      if (!valid) {
        throw new ConfigException(
            "configuration key cluster.members lists '"
                + member
                + "', but each member must be host:port, such as 10.0.0.5:5701");
      }
      members.add(member);
    }
    return members;
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
    throw new ConfigException(
        "configuration key metrics.listener is '"
            + text
            + "', but it must be webhook, public or none");
  }

  private static URI registryUrl(String text) {
    try {
      URI uri = URI.create(text);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException();
      }
      return uri;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "configuration key registry.url is '"
              + text
              + "', but it must be an http:// or https:// URL such as http://127.0.0.1:5000");
    }
  }

  private static String pathPrefix(String prefix) {
    if (prefix.isEmpty() || prefix.equals("/")) {
      return "";
    }
    if (!prefix.startsWith("/") || prefix.contains("?") || prefix.contains("#")) {
      throw new ConfigException(
          "configuration key http.path_prefix is '"
              + prefix
              + "', but it must be empty or a path starting with / such as /flagstate");
    }
    return prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
  }
}
