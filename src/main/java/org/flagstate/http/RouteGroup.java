package org.flagstate.http;

import io.vertx.ext.web.Router;

/**
 * The routes of one concern (the Flatpak index, search, the registry front, the JSON API), mounted
 * on the public listener's router by {@link PublicHttpVerticle}; each group owns its parsing and
 * its SQL.
 */
public interface RouteGroup {

  /** Adds this group's routes; {@code prefix} is {@code http.path_prefix} ("" or "/something"). */
  void mount(Router router, String prefix);
}
