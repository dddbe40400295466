package org.flagstate.http;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.flagstate.config.FlagstateConfig;

/** What every route group of the public listener may use: one per query verticle instance. */
public record HttpServices(Vertx vertx, FlagstateConfig config, Pool pool, CachedJsonResponder responder) {}
