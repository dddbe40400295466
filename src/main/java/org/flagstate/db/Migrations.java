package org.flagstate.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the versioned schema in {@code db/migration} at start. Flyway takes a PostgreSQL lock
 * while it migrates, so several nodes starting together on one database apply each version exactly
 * once. Then stores the settings the stored index is derived with ({@code ui.cockpit_label}, which
 * decides the kind token of every image, migration V8) and re-derives it when one changed.
 */
public final class Migrations {

  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  private Migrations() {}

  private static final String STORE_COCKPIT_LABEL =
      "update index_state set cockpit_label = ? where cockpit_label is distinct from ?";

  private static final String REFRESH_ALL =
      "select flagstate_refresh_repositories(array(select id from repository))";

  /** Blocks: JDBC. */
  public static void apply(DatabaseServer server, String cockpitLabel) {
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
    storeCockpitLabel(server, cockpitLabel);
  }

  private static void storeCockpitLabel(DatabaseServer server, String cockpitLabel) {
    var options = server.connectOptions();
    try (Connection connection =
        DriverManager.getConnection(server.jdbcUrl(), options.getUser(), options.getPassword())) {
      connection.setAutoCommit(false);
      try (PreparedStatement store = connection.prepareStatement(STORE_COCKPIT_LABEL)) {
        store.setString(1, cockpitLabel);
        store.setString(2, cockpitLabel);
        if (store.executeUpdate() > 0) {
          long began = System.nanoTime();
          try (Statement refresh = connection.createStatement()) {
            refresh.execute(REFRESH_ALL);
          }
          LOG.info(
              "ui.cockpit_label is now '{}': the kind of every stored image was derived again ({} ms)",
              cockpitLabel,
              (System.nanoTime() - began) / 1_000_000);
        }
      }
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not store ui.cockpit_label in the database: " + e.getMessage(), e);
    }
  }
}
