package org.flagstate.config;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One configuration key: its dotted name, its type and what it does, and other names the same
 * setting answers to (one setting, so they can never disagree). {@link #ALL} is the single list of
 * keys Flagstate accepts; anything else in a file, the environment or a system property is refused.
 */
public record Setting(String key, SettingType type, String description, List<String> aliases) {

  public Setting {
    aliases = List.copyOf(aliases);
  }

  public Setting(String key, SettingType type, String description) {
    this(key, type, description, List.of());
  }

  public static final String ENV_PREFIX = "FLAGSTATE_";
  public static final String PROPERTY_PREFIX = "flagstate.";

  public static final List<Setting> ALL =
      List.of(
          new Setting("registry.url", SettingType.STRING, "Base URL of the registry to index"),
          new Setting(
              "registry.username",
              SettingType.STRING,
              "Registry user (Basic auth, and to obtain Bearer tokens)"),
          new Setting("registry.password", SettingType.STRING, "Registry password"),
          new Setting(
              "registry.public_url",
              SettingType.STRING,
              "`Registry` URL in index responses (may be relative, e.g. `/`); empty means `registry.url`"),
          new Setting(
              "registry.front",
              SettingType.BOOLEAN,
              "Serve `GET`/`HEAD` of `/v2/<name>/manifests|blobs/…` by streaming them from the registry, so one host serves index and pulls"),
          new Setting(
              "registry.front_credentials",
              SettingType.BOOLEAN,
              "Let the front pull with `registry.username`'s credentials for every client. Off: each client's own `Authorization` goes to the registry and the registry's challenge comes back, so its access control holds"),
          new Setting("http.host", SettingType.STRING, "Address the query listener binds"),
          new Setting("http.port", SettingType.PORT, "Port of the query listener"),
          new Setting(
              "http.path_prefix",
              SettingType.STRING,
              "Prefix before every path, e.g. `/flagstate`"),
          new Setting(
              "http.header_timeout",
              SettingType.DURATION,
              "Longest a new connection may take to send a complete request head (closed after)"),
          new Setting(
              "http.keep_alive_timeout",
              SettingType.DURATION,
              "Longest a kept-alive connection may take, after a response, to send the next complete request head"),
          new Setting(
              "http.request_timeout",
              SettingType.DURATION,
              "Longest a request of the public listener may take before it is answered 503 (registry-front transfers excepted)"),
          new Setting(
              "http.max_connections",
              SettingType.POSITIVE_INT,
              "Open connections to the public listener at most; further ones are closed at once"),
          new Setting(
              "http.client_rate",
              SettingType.NON_NEGATIVE_INT,
              "Requests a second one client may make to `/index/dynamic`, search and the JSON API (429 past it); 0 means no limit"),
          new Setting(
              "http.client_burst",
              SettingType.POSITIVE_INT,
              "Requests one client may make at once before `http.client_rate` applies"),
          new Setting(
              "http.client_address_header",
              SettingType.STRING,
              "Header in which a trusted proxy names the client (e.g. `X-Forwarded-For`); empty: the socket's peer"),
          new Setting(
              "http.trusted_proxies",
              SettingType.STRING,
              "Comma-separated addresses of proxies whose `http.client_address_header` is believed"),
          new Setting(
              "http.auth",
              SettingType.STRING,
              "Authentication on the public listener: `none`, `basic` (users of an htpasswd file with bcrypt hashes) or `bearer` (tokens); `/health` and `/ready` stay open"),
          new Setting(
              "http.auth_file",
              SettingType.STRING,
              "For `http.auth`: the htpasswd file (`htpasswd -B`), or a file of tokens, one per line"),
          new Setting(
              "http.access_log",
              SettingType.BOOLEAN,
              "Log one line per request of the public listener (Vert.x Web's `LoggerHandler`, Apache combined format, logger `io.vertx.ext.web.handler.LoggerHandler`)"),
          new Setting(
              "webhook.host",
              SettingType.STRING,
              "Address the registry-notification listener binds"),
          new Setting("webhook.port", SettingType.PORT, "Port of the listener for `POST /events`"),
          new Setting(
              "webhook.token",
              SettingType.STRING,
              "Bearer token the registry must send (`Authorization: Bearer …`); empty accepts unauthenticated events"),
          new Setting(
              "webhook.max_body_bytes",
              SettingType.POSITIVE_INT,
              "Largest accepted notification body (413 above)"),
          new Setting(
              "database.url",
              SettingType.STRING,
              "`postgresql://user:password@host:port/db`; empty starts an embedded PostgreSQL"),
          new Setting(
              "database.data_dir", SettingType.STRING, "Data directory of the embedded PostgreSQL"),
          new Setting(
              "database.pool_size", SettingType.POSITIVE_INT, "Connections in the shared pool"),
          new Setting(
              "database.statement_timeout",
              SettingType.DURATION,
              "Longest a single SQL statement may run"),
          new Setting(
              "cache.static_max_age",
              SettingType.DURATION,
              "`Cache-Control: max-age` of `/index/static`"),
          new Setting(
              "cache.max_bytes",
              SettingType.SIZE,
              "Memory for rendered responses (both encodings counted); the least valuable are evicted first"),
          new Setting(
              "cache.max_body_bytes",
              SettingType.SIZE,
              "Largest rendered response kept in the cache; a larger one is sent without being kept"),
          new Setting(
              "cache.search_bytes",
              SettingType.SIZE,
              "Memory for what searches remember while the index is unchanged (each text's ranked matches, 8 bytes a repository; each match set's facet counts; the facet groups searches without text are counted from, if they fit in a quarter of it), so paging through a broad search ranks and counts once"),
          new Setting(
              "crawl.interval",
              SettingType.DURATION,
              "Period of the reconciliation: a full sync of catalog and tags (HEAD per tag), fetching only new digests",
              List.of("crawl.reconcile_interval")),
          new Setting(
              "crawl.concurrency", SettingType.POSITIVE_INT, "Registry requests in flight at once"),
          new Setting(
              "crawl.request_timeout", SettingType.DURATION, "Timeout of one registry request"),
          new Setting(
              "crawl.retries",
              SettingType.NON_NEGATIVE_INT,
              "Retries of a failed registry request"),
          new Setting(
              "crawl.retry_backoff",
              SettingType.DURATION,
              "First retry delay; doubles on each retry"),
          new Setting(
              "crawl.start_backoff_max",
              SettingType.DURATION,
              "Longest wait between sync attempts while the registry is unreachable"),
          new Setting(
              "query.max_terms", SettingType.POSITIVE_INT, "Most index query terms in one request"),
          new Setting(
              "query.max_query_bytes", SettingType.POSITIVE_INT, "Longest accepted query string"),
          new Setting(
              "query.max_concurrent",
              SettingType.POSITIVE_INT,
              "Uncached database reads and renders running at once on this node (admission control); about two per core the database has for Flagstate: more only makes each slower and takes CPU from cached answers"),
          new Setting(
              "query.max_queued",
              SettingType.NON_NEGATIVE_INT,
              "Uncached requests that may wait for a slot; past that they get 503 with Retry-After at once"),
          new Setting(
              "query.queue_timeout",
              SettingType.DURATION,
              "Longest an uncached request waits for a slot before its 503"),
          new Setting(
              "cluster.enabled",
              SettingType.BOOLEAN,
              "Join the other nodes listed in `cluster.members` (Hazelcast cluster manager): index changes and new registry "
                  + "events travel on the clustered event bus instead of PostgreSQL NOTIFY; see docs/deployment.md"),
          new Setting(
              "cluster.host",
              SettingType.STRING,
              "Address this node binds and advertises to the other nodes, for both the event bus and Hazelcast"),
          new Setting(
              "cluster.port", SettingType.PORT, "Hazelcast member port (membership, heartbeats)"),
          new Setting(
              "cluster.bus_port",
              SettingType.PORT,
              "Event-bus port (messages between nodes); fixed so a firewall can open it"),
          new Setting(
              "cluster.members",
              SettingType.STRING,
              "Comma-separated `host:port` list of Hazelcast members to join (TCP-IP; this node may be listed too)"),
          new Setting(
              "cluster.name",
              SettingType.STRING,
              "Name of the cluster; nodes with another name never join this one (one name per database)"),
          new Setting(
              "metrics.listener",
              SettingType.STRING,
              "Where `GET /metrics` (Prometheus) is served: `webhook` (the registry-notification listener, kept off "
                  + "the public one), `public`, or `none`"),
          new Setting(
              "ui.enabled",
              SettingType.BOOLEAN,
              "Serve the web UI (`/`, `/search`, `/repositories/<name>`, `/apps`, `/cockpit`, `/updates`); off, those paths answer 404"),
          new Setting(
              "ui.cockpit_label",
              SettingType.STRING,
              "Label whose presence marks an image as a Cockpit plugin (as does appstream data extending `org.cockpit_project.cockpit`)"),
          new Setting(
              "ui.flatpak_remote",
              SettingType.STRING,
              "Remote name the UI's `flatpak remote-add` and `flatpak install` commands use"));

  /** The setting a file key, such as {@code crawl.interval} or its alias, names. */
  public static Optional<Setting> named(String name) {
    return ALL.stream().filter(setting -> setting.names().contains(name)).findFirst();
  }

  /** The key first, then its aliases. */
  public List<String> names() {
    return Stream.concat(Stream.of(key), aliases.stream()).toList();
  }

  /** {@code registry.public_url} → {@code FLAGSTATE_REGISTRY_PUBLIC_URL}. */
  public String environmentVariable() {
    return environmentVariable(key);
  }

  /** The environment variables of the key and of each alias. */
  public List<String> environmentVariables() {
    return names().stream().map(Setting::environmentVariable).toList();
  }

  /** The system properties of the key and of each alias. */
  public List<String> systemProperties() {
    return names().stream().map(name -> PROPERTY_PREFIX + name).toList();
  }

  private static String environmentVariable(String name) {
    return ENV_PREFIX + name.replace('.', '_').toUpperCase(Locale.ROOT);
  }
}
