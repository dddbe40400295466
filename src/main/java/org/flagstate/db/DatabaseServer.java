package org.flagstate.db;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.flagstate.config.ConfigException;
import org.flagstate.config.FlagstateConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL server Flagstate stores its index in: either one reached by {@code database.url},
 * or an embedded one started here over a persistent data directory, so that a fresh machine needs
 * nothing installed. Starting and stopping block; call them off the event loop.
 */
public final class DatabaseServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseServer.class);

  private final PgConnectOptions connectOptions;
  private final EmbeddedPostgres embedded;
  private final Process watchdog;

  private DatabaseServer(
      PgConnectOptions connectOptions, EmbeddedPostgres embedded, Process watchdog) {
    this.connectOptions = connectOptions;
    this.embedded = embedded;
    this.watchdog = watchdog;
  }

  /** Starts the embedded server, or checks the URL of an external one. */
  public static DatabaseServer start(FlagstateConfig.Database config) {
    if (!config.embedded()) {
      PgConnectOptions options;
      try {
        options = PgConnectOptions.fromUri(config.url());
      } catch (RuntimeException e) {
        throw new ConfigException(
            "configuration key database.url is not a PostgreSQL URL ("
                + e.getMessage()
                + "); use postgresql://user:password@host:5432/database");
      }
      LOG.info(
          "Using PostgreSQL at {}:{}, database {}",
          options.getHost(),
          options.getPort(),
          options.getDatabase());
      return new DatabaseServer(withSessionSettings(options, config), null, null);
    }
    Path dataDir = Path.of(config.dataDir()).toAbsolutePath();
    try {
      Files.createDirectories(dataDir);
      OrphanedPostgres.stopIfOrphaned(dataDir);
      LOG.info(
          "Starting embedded PostgreSQL with data directory {} (set database.url to use your own server)",
          dataDir);
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setRegisterShutdownHook(false)
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
      PgConnectOptions options =
          new PgConnectOptions()
              .setHost("127.0.0.1")
              .setPort(postgres.getPort())
              .setDatabase("postgres")
              .setUser("postgres");
      LOG.info("Embedded PostgreSQL is listening on 127.0.0.1:{}", postgres.getPort());
      Process watchdog =
          OrphanedPostgres.PidFile.read(dataDir)
              .map(pidFile -> startWatchdog(pidFile.pid()))
              .orElse(null);
      return new DatabaseServer(withSessionSettings(options, config), postgres, watchdog);
    } catch (IllegalStateException e) {
      throw new ConfigException(
          "could not start the embedded PostgreSQL: "
              + e.getMessage()
              + "; stop that Flagstate, or set database.data_dir or database.url",
          e);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "could not start the embedded PostgreSQL in "
              + dataDir
              + ": "
              + e.getMessage()
              + " (is another Flagstate using that directory? set database.data_dir or database.url)",
          e);
    }
  }

  private static Process startWatchdog(long postmasterPid) {
    try {
      return OrphanedPostgres.watch(postmasterPid);
    } catch (IOException e) {
      LOG.warn(
          "Could not start the watchdog that stops the embedded PostgreSQL if Flagstate is killed ({}); "
              + "the next start stops a left-over server instead",
          e.getMessage());
      return null;
    }
  }

  /**
   * Per session: the statement timeout, a name for {@code pg_stat_activity}, no JIT compilation, no
   * parallel workers and no generic plans. PostgreSQL compiles a plan whose estimated cost passes
   * {@code jit_above_cost}; Flagstate's queries are short, and a facet count over 10,000
   * repositories spent 197 ms compiling for 56 ms of execution (measured with EXPLAIN ANALYZE).
   * Parallel workers sped no query up measurably (the uncached Flatpak query at 100,000 images: p50
   * 216 ms with, 210 ms without) but took cores from the concurrent requests of other clients.
   *
   * <p>Every execution is planned for its own values ({@code plan_cache_mode}): statements are
   * prepared once per connection, and after five executions PostgreSQL may switch to a generic plan
   * that ignores them. Which plan is right depends on the values: a search text or a facet token
   * can match five repositories or all of them. Under the generic plan a search for a rare word
   * with two facet filters walked the name index through 20,000 repositories (53 ms) instead of
   * looking the word up (7.5 ms, planning included).
   */
  private static PgConnectOptions withSessionSettings(
      PgConnectOptions options, FlagstateConfig.Database config) {
    return options
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256)
        .addProperty("statement_timeout", Long.toString(config.statementTimeout().toMillis()))
        .addProperty("application_name", "flagstate")
        .addProperty("jit", "off")
        .addProperty("max_parallel_workers_per_gather", "0")
        .addProperty("plan_cache_mode", "force_custom_plan");
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://"
        + connectOptions.getHost()
        + ":"
        + connectOptions.getPort()
        + "/"
        + connectOptions.getDatabase();
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  @Override
  public void close() {
    if (watchdog != null) {
      watchdog.destroy();
    }
    if (embedded != null) {
      try {
        embedded.close();
        LOG.info("Embedded PostgreSQL stopped");
      } catch (IOException e) {
        LOG.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    }
  }
}
