package org.flagstate.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.flagstate.testsupport.FlagstateInstance;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The optional per-client rate: a burst, then 429 with Retry-After; other clients and paths
 * unaffected.
 */
class ClientRateLimitIT {

  private static FlagstateInstance flagstate;

  @BeforeAll
  static void start() {
    flagstate =
        FlagstateInstance.start(
            Map.of(
                "registry.url",
                "http://127.0.0.1:9",
                "database.url",
                TestDatabase.createDatabase(),
                "http.client_rate",
                "1",
                "http.client_burst",
                "5",
                "http.client_address_header",
                "X-Forwarded-For",
                "http.trusted_proxies",
                "127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    flagstate.close();
  }

  @Test
  void aClientPastItsBurstGets429WithRetryAfterAndOtherClientsAreServed() {
    for (int i = 0; i < 5; i++) {
      assertThat(
              flagstate
                  .get("/index/dynamic?tag=latest", "X-Forwarded-For", "198.51.100.7")
                  .statusCode())
          .as("request %d of the burst", i)
          .isEqualTo(200);
    }
    HttpResponse<byte[]> limited =
        flagstate.get("/index/dynamic?tag=latest", "X-Forwarded-For", "198.51.100.7");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).contains("1");
    assertThat(
            new JsonObject(new String(limited.body(), StandardCharsets.UTF_8))
                .getJsonObject("error")
                .getString("code"))
        .isEqualTo("RATE_LIMITED");

    assertThat(
            flagstate
                .get("/index/dynamic?tag=latest", "X-Forwarded-For", "198.51.100.8")
                .statusCode())
        .as("another client")
        .isEqualTo(200);
    assertThat(
            flagstate
                .get("/index/static?tag=latest", "X-Forwarded-For", "198.51.100.7")
                .statusCode())
        .as("the cacheable index is not limited")
        .isEqualTo(200);
    assertThat(flagstate.get("/v1/search?q=x", "X-Forwarded-For", "198.51.100.7").statusCode())
        .as("search shares the client's bucket")
        .isEqualTo(429);
  }
}
