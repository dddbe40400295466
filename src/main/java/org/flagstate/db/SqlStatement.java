package org.flagstate.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Collection;
import java.util.stream.Collector;

/**
 * A SQL statement assembled from optional conditions, with its positional parameters added as the
 * text grows, so {@code $n} numbering cannot drift from the values. Collections become text arrays.
 */
public final class SqlStatement {

  private final StringBuilder sql = new StringBuilder();
  private final Tuple params = Tuple.tuple();

  public SqlStatement append(Object text) {
    sql.append(text);
    return this;
  }

  /** Adds a parameter; returns its placeholder ({@code $3}). */
  public String param(Object value) {
    params.addValue(value instanceof Collection<?> values ? values.toArray(String[]::new) : value);
    return "$" + params.size();
  }

  /** Appends {@code and column = any($n)} unless {@code values} is empty (no condition). */
  public SqlStatement in(String column, Collection<String> values) {
    if (!values.isEmpty()) {
      sql.append(" and ").append(column).append(" = any(").append(param(values)).append(")");
    }
    return this;
  }

  public Future<RowSet<Row>> execute(Pool pool) {
    return pool.preparedQuery(sql.toString()).execute(params);
  }

  /**
   * Executes the statement and collects its rows as they are decoded, so a large result is held
   * once (as what {@code collector} makes of it), not also as a {@code RowSet} of rows.
   */
  public <R> Future<R> collect(Pool pool, Collector<Row, ?, R> collector) {
    return pool.preparedQuery(sql.toString())
        .collecting(collector)
        .execute(params)
        .map(result -> result.value());
  }

  /**
   * Executes the statement planned without sequential scans wherever an index can serve it (in a
   * transaction of its own, {@code set local}). For statements whose conditions PostgreSQL
   * underprices: a text search's array and tsvector operators cost it about a microsecond a row
   * where it assumes a few nanoseconds, so for a text most repositories match it read and tested
   * every row (22 ms at 20,000 repositories) rather than combine two GIN indexes (9 ms).
   */
  public Future<RowSet<Row>> executeThroughIndexes(Pool pool) {
    return pool.withTransaction(
        connection ->
            connection
                .query("set local enable_seqscan = off")
                .execute()
                .compose(done -> connection.preparedQuery(sql.toString()).execute(params)));
  }

  @Override
  public String toString() {
    return sql.toString();
  }
}
