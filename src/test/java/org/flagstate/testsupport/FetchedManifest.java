package org.flagstate.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A manifest as the registry serves it: the exact bytes (the digest covers them) and the headers
 * that describe them.
 *
 * @param digest the {@code Docker-Content-Digest} header
 * @param mediaType the {@code Content-Type} header
 */
public record FetchedManifest(String digest, String mediaType, byte[] body) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public JsonNode json() {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("manifest " + digest + " is not JSON", e);
    }
  }

  public String text() {
    return new String(body, StandardCharsets.UTF_8);
  }
}
