package org.flagstate.db;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema in {@code db/migration} at start. Flyway takes a PostgreSQL lock
 * while it migrates, so several nodes starting together on one database apply each version exactly
 * once.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  /** Blocks: JDBC. */
  public static void apply(DatabaseServer server) {
    var options = server.connectOptions();
    MigrateResult result =
        Flyway.configure()
            .dataSource(server.jdbcUrl(), options.getUser(), options.getPassword())
            .locations("classpath:db/migration")
            .load()
            .migrate();
    if (result.migrationsExecuted > 0) {
      LOG.info(
          "Database schema migrated to version {} ({} migrations applied)",
          result.targetSchemaVersion,
          result.migrationsExecuted);
    } else {
      LOG.info("Database schema is up to date (version {})", result.initialSchemaVersion);
    }
  }
}
