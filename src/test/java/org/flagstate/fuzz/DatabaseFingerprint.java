package org.flagstate.fuzz;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.testsupport.TestDatabase;

/**
 * The whole content of Flagstate's tables as one string (an MD5 of every row of every table, rows
 * in text order, and the inbox's row count), so a test can say "the database is unchanged" after a
 * request. Uses one JDBC connection of its own, for the life of the test class.
 */
final class DatabaseFingerprint implements AutoCloseable {

  /** A fingerprint and the number of rows in the inbox when it was taken. */
  record Taken(String fingerprint, long inboxRows) {}

  private final Connection connection;
  private final String query;

  DatabaseFingerprint(String databaseUrl) throws SQLException {
    connection = TestDatabase.connect(databaseUrl);
    List<String> tables = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows =
            statement.executeQuery(
                "select table_name from information_schema.tables where table_schema = 'public'"
                    + " and table_type = 'BASE TABLE' and table_name <> 'flyway_schema_history' order by table_name")) {
      while (rows.next()) {
        tables.add(rows.getString(1));
      }
    }
    if (!tables.contains("inbox")) {
      throw new IllegalStateException(
          "no inbox table among " + tables + ": is the schema migrated?");
    }
    StringBuilder sql = new StringBuilder("select (select count(*) from inbox)");
    for (String table : tables) {
      sql.append(", '")
          .append(table)
          .append(":' || md5(coalesce((select string_agg(t::text, '|' order by t::text)")
          .append(" from \"")
          .append(table)
          .append("\" t), ''))");
    }
    query = sql.toString();
  }

  Taken take() {
    try (Statement statement = connection.createStatement();
        ResultSet row = statement.executeQuery(query)) {
      row.next();
      StringBuilder fingerprint = new StringBuilder();
      for (int column = 2; column <= row.getMetaData().getColumnCount(); column++) {
        fingerprint.append(row.getString(column)).append(' ');
      }
      return new Taken(fingerprint.toString().trim(), row.getLong(1));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot fingerprint the database: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
