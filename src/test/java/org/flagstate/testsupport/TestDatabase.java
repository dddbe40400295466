package org.flagstate.testsupport;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.UUID;

/**
 * Gives each integration test class a fresh, empty database on a real PostgreSQL server reached by
 * URL: the server named by {@code flagstate.test.database.url} (CI points it at the machine's
 * PostgreSQL), or else an embedded server started once for this JVM, so the tests pass on any fresh
 * machine.
 */
public final class TestDatabase {

  private static EmbeddedPostgres standIn;

  private TestDatabase() {}

  /** The server tests create their databases on, as a {@code postgresql://} URL. */
  public static synchronized String serverUrl() {
    String configured = System.getProperty("flagstate.test.database.url", "");
    if (configured.isBlank()) {
      configured = System.getenv().getOrDefault("FLAGSTATE_TEST_DATABASE_URL", "");
    }
    if (!configured.isBlank()) {
      return configured;
    }
    if (standIn == null) {
      try {
        standIn = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("could not start the stand-in embedded PostgreSQL", e);
      }
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      standIn.close();
                    } catch (IOException ignored) {
                      // the JVM is exiting
                    }
                  }));
    }
    return "postgresql://postgres@127.0.0.1:" + standIn.getPort() + "/postgres";
  }

  /** Creates a new empty database on {@link #serverUrl()} and returns its URL. */
  public static String createDatabase() {
    String server = serverUrl();
    String name = "flagstate_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    execute(server, "create database " + name);
    dropAtExit(server, name);
    PgConnectOptions options = PgConnectOptions.fromUri(server);
    String credentials =
        options.getUser()
            + (options.getPassword() == null || options.getPassword().isEmpty()
                ? ""
                : ":" + options.getPassword());
    return "postgresql://"
        + credentials
        + "@"
        + options.getHost()
        + ":"
        + options.getPort()
        + "/"
        + name;
  }

  /** Drops a database made by {@link #createDatabase()}, closing what is still connected to it. */
  public static void dropDatabase(String url) {
    execute(
        serverUrl(),
        "drop database if exists " + PgConnectOptions.fromUri(url).getDatabase() + " with (force)");
  }

  private static void dropAtExit(String server, String name) {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    execute(server, "drop database if exists " + name + " with (force)");
                  } catch (RuntimeException ignored) {
                    // a stand-in server may already be gone; nothing is left behind then
                  }
                }));
  }

  /** Runs one statement through JDBC (test set-up and fault injection only). */
  public static void execute(String url, String sql) {
    try (Connection connection = connect(url)) {
      connection.createStatement().execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "SQL failed on " + url + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  /** The first column of the first row of a query (null when it has none), through JDBC. */
  public static String query(String url, String sql) {
    try (Connection connection = connect(url);
        java.sql.ResultSet result = connection.createStatement().executeQuery(sql)) {
      return result.next() ? result.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "SQL failed on " + url + ": " + sql + ": " + e.getMessage(), e);
    }
  }

  public static Connection connect(String url) throws SQLException {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    return DriverManager.getConnection(
        "jdbc:postgresql://"
            + options.getHost()
            + ":"
            + options.getPort()
            + "/"
            + options.getDatabase(),
        options.getUser(),
        options.getPassword());
  }
}
