package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /api/v1/search?namespace=} takes the repositories whose first path component is the
 * namespace, and no neighbour in name order: a namespace that starts with it ({@code team10}), one
 * glued to it by a separator that sorts before {@code /} ({@code team1.x}, {@code team1-a}) or
 * after it ({@code team1_b}), or a repository named like it without a namespace.
 */
@ExtendWith(VertxExtension.class)
class NamespaceFilterRouteIT {

  static final List<String> NAMES =
      List.of(
          "team1",
          "team1x",
          "team1/a",
          "team1/b/deep",
          "team10/c",
          "team1.x/d",
          "team1-a/e",
          "team1_b/f",
          "team1__c/g",
          "team0/h",
          "team2/i",
          "zteam1/j");

  static RouteTestServer server;
  static WebClient client;

  /** Every repository in the index: these and the standard seed's. */
  static List<String> listed;

  @BeforeAll
  static void start(Vertx vertx) {
    List<String> seed = new ArrayList<>(RouteTestServer.STANDARD_SEED);
    for (String name : NAMES) {
      seed.add("insert into repository (name) values ('" + name + "')");
      seed.add(RouteTestServer.tag(name, "latest", RouteTestServer.PLAIN, "2026-01-02T00:00:00Z"));
    }
    server = RouteTestServer.prepare(seed);
    client = WebClient.create(vertx);
    server.deploy(vertx).await();
    listed =
        List.of(
            TestDatabase.query(
                    server.config().database().url(),
                    "select string_agg(name, ',') from repository where tag_count > 0")
                .split(","));
  }

  static List<String> names(String query) {
    var response = client.get(server.port(), "127.0.0.1", "/api/v1/search?" + query).send().await();
    assertThat(response.statusCode()).as(query).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    List<String> names =
        body.getJsonArray("repositories").stream()
            .map(repository -> ((JsonObject) repository).getString("name"))
            .toList();
    assertThat(body.getLong("total")).as(query + " total").isEqualTo(names.size());
    return names;
  }

  /** What the filter means, computed here: the first path component of a name with one. */
  static List<String> inNamespaces(String... namespaces) {
    return listed.stream()
        .filter(name -> name.contains("/"))
        .filter(name -> List.of(namespaces).contains(name.substring(0, name.indexOf('/'))))
        .sorted()
        .toList();
  }

  @Test
  void aNamespaceTakesItsOwnRepositoriesAndNoNeighbour() {
    for (String namespace :
        List.of(
            "team1", "team10", "team1.x", "team1-a", "team1_b", "team1__c", "team0", "zteam1")) {
      assertThat(names("namespace=" + namespace + "&limit=100"))
          .as(namespace)
          .isEqualTo(inNamespaces(namespace));
    }
    assertThat(names("namespace=team1&limit=100")).containsExactly("team1/a", "team1/b/deep");
  }

  @Test
  void severalNamespacesTakeEachOnesRepositories() {
    assertThat(names("namespace=team1&namespace=team10&namespace=team2&limit=100"))
        .isEqualTo(inNamespaces("team1", "team10", "team2"));
  }

  @Test
  void aNamespaceWithoutRepositoriesTakesNone() {
    assertThat(names("namespace=team&limit=100")).isEmpty();
    assertThat(names("namespace=team1x&limit=100")).isEmpty();
  }
}
