package org.flagstate.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/** The index contract with Flagstate starting its own embedded PostgreSQL (no {@code database.url}). */
class IndexProtocolEmbeddedDbIT extends IndexProtocolContract {
  @Override
  Map<String, String> databaseSettings() {
    try {
      return Map.of("database.url", "", "database.data_dir",
          Files.createTempDirectory("flagstate-embedded-").resolve("pg").toString(), "cache.static_max_age", "1h");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
