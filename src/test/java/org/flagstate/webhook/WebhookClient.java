package org.flagstate.webhook;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Sends a notification envelope the way docker/distribution does. */
final class WebhookClient {

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private WebhookClient() {}

  static HttpResponse<String> post(String url, String token, String envelope) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(10))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/vnd.docker.distribution.events.v1+json")
            .POST(HttpRequest.BodyPublishers.ofString(envelope))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
