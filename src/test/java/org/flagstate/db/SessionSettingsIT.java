package org.flagstate.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.util.List;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * Flagstate's sessions run without JIT, parallel workers and generic plans ({@link
 * DatabaseServer}), and {@link SqlStatement#executeThroughIndexes} turns sequential scans off for
 * its one statement only: the same connection plans the next statement as usual.
 */
class SessionSettingsIT {

  @Test
  void sessionsRunWithoutJitParallelWorkersOrGenericPlansAndSeqScansAreOffForOneStatementOnly()
      throws Exception {
    RouteTestServer seeded = RouteTestServer.prepare(List.of());
    DatabaseServer database = DatabaseServer.start(seeded.config().database());
    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = SharedPool.create(vertx, database.connectOptions(), 1);
      assertThat(setting(pool, "jit", false)).isEqualTo("off");
      assertThat(setting(pool, "max_parallel_workers_per_gather", false)).isEqualTo("0");
      assertThat(setting(pool, "plan_cache_mode", false)).isEqualTo("force_custom_plan");
      assertThat(setting(pool, "enable_seqscan", false)).isEqualTo("on");
      assertThat(setting(pool, "enable_seqscan", true)).isEqualTo("off");
      assertThat(setting(pool, "enable_seqscan", false))
          .as("the one connection of the pool, after the statement that turned it off")
          .isEqualTo("on");
      pool.close().await();
    } finally {
      vertx.close().await();
      database.close();
      TestDatabase.dropDatabase(seeded.config().database().url());
    }
  }

  private static String setting(Pool pool, String name, boolean throughIndexes) {
    SqlStatement statement = new SqlStatement();
    statement.append("select current_setting(").append(statement.param(name)).append(")");
    return (throughIndexes ? statement.executeThroughIndexes(pool) : statement.execute(pool))
        .await()
        .iterator()
        .next()
        .getString(0);
  }
}
