package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Random;
import org.flagstate.db.DatabaseServer;
import org.flagstate.db.Migrations;
import org.flagstate.testsupport.RouteTestServer;
import org.flagstate.testsupport.TestDatabase;
import org.flagstate.testsupport.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * The {@code kind:} token SQL stores for an image (migration V8's {@code flagstate_image_tokens})
 * is the kind {@link ImageKind#of} decides in Java from its labels, for seeded random label sets
 * and either marker label.
 */
class ImageKindTokensIT {

  private static final List<String> REFS =
      List.of(
          "app/org.example.Hello/x86_64/stable",
          "runtime/org.freedesktop.Platform/x86_64/23.08",
          "app/",
          "runtime/",
          "APP/org.example.Hello",
          "application/x",
          "",
          "org.example.Hello");

  private static final List<String> APPDATA =
      List.of(
          "<component><extends>org.cockpit_project.cockpit</extends></component>",
          "<component>\n  <extends>\n org.cockpit_project.cockpit\t</extends></component>",
          "<component><extends>org.gnome.Builder</extends></component>",
          "<component><extends>org.cockpit_projectXcockpit</extends></component>",
          "<component><id>org.cockpit_project.cockpit</id></component>",
          "");

  @Test
  void anotherCockpitLabelAtStartDerivesTheKindsAgain() throws Exception {
    RouteTestServer server = RouteTestServer.prepare(RouteTestServer.STANDARD_SEED);
    String url = server.config().database().url();
    String kinds =
        "select string_agg(r.name || '=' || t, ',' order by r.name, t) from repository r,"
            + " unnest(r.facets) t where t like 'kind:%'";
    try {
      String before = TestDatabase.query(url, kinds);
      assertThat(before).contains("flatpak/hello=kind:flatpak-app");

      DatabaseServer database = DatabaseServer.start(server.config().database());
      try {
        Migrations.apply(database, "org.flatpak.ref");
        assertThat(TestDatabase.query(url, kinds))
            .as("every image with the marker label is a Cockpit plugin now")
            .contains("flatpak/hello=kind:cockpit-plugin")
            .doesNotContain("kind:flatpak-app");
        Migrations.apply(database, server.config().ui().cockpitLabel());
      } finally {
        database.close();
      }
      assertThat(TestDatabase.query(url, kinds)).isEqualTo(before);
    } finally {
      TestDatabase.dropDatabase(url);
    }
  }

  @Test
  void sqlOfTheStoredTokensAgreesWithJavaOnTheLabels() throws Exception {
    long seed = TestSeeds.seed(ImageKindTokensIT.class);
    Random random = new Random(seed);
    RouteTestServer server = RouteTestServer.prepare(List.of());
    String url = server.config().database().url();
    String sql =
        "select substr(token, 6) from unnest(flagstate_image_tokens('t', 't', null, null, ?::jsonb, ?))"
            + " token where token like 'kind:%'";
    try (Connection connection = TestDatabase.connect(url);
        PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < 2000; i++) {
        String marker = random.nextBoolean() ? "org.cockpit-project.plugin" : "my.marker";
        JsonObject labels = new JsonObject();
        if (random.nextInt(3) == 0) {
          labels.put(ImageKind.FLATPAK_REF, REFS.get(random.nextInt(REFS.size())));
        }
        if (random.nextInt(4) == 0) {
          labels.put(ImageKind.APPDATA, APPDATA.get(random.nextInt(APPDATA.size())));
        }
        if (random.nextInt(6) == 0) {
          labels.put(random.nextBoolean() ? marker : "org.cockpit-project.plugin", "1");
        }
        if (random.nextBoolean()) {
          labels.put("org.opencontainers.image.title", "t" + random.nextInt(10));
        }
        statement.setString(1, labels.encode());
        statement.setString(2, marker);
        try (ResultSet result = statement.executeQuery()) {
          assertThat(result.next()).as("one kind token").isTrue();
          assertThat(result.getString(1))
              .as("labels %s, marker %s (seed %d)", labels, marker, seed)
              .isEqualTo(ImageKind.of(labels, marker).id());
          assertThat(result.next()).as("one kind token").isFalse();
        }
      }
    } finally {
      TestDatabase.dropDatabase(url);
    }
  }
}
