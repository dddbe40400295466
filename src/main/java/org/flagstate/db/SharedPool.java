package org.flagstate.db;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/**
 * The one PostgreSQL pool every verticle uses. Each verticle asks for it by name; Vert.x hands out
 * the same underlying connections, so N query verticles do not open N pools.
 */
public final class SharedPool {

  public static final String NAME = "flagstate";

  private SharedPool() {}

  public static Pool create(Vertx vertx, PgConnectOptions connectOptions, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setShared(true).setName(NAME).setMaxSize(size))
        .connectingTo(connectOptions)
        .using(vertx)
        .build();
  }
}
