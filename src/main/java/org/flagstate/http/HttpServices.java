package org.flagstate.http;

import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.flagstate.cache.SearchMemo;
import org.flagstate.config.FlagstateConfig;

/**
 * What every route group of the public listener may use: one per listener instance. Database reads
 * that do not go through {@link #responder()} go through {@link #admission()}, so uncached work
 * stays bounded.
 */
public record HttpServices(
    Vertx vertx,
    FlagstateConfig config,
    Pool pool,
    CachedJsonResponder responder,
    AdmissionControl admission,
    SearchMemo searchMemo) {}
