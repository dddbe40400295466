package org.flagstate.index;

import java.util.Map;
import org.flagstate.testsupport.TestDatabase;

/** The index contract with Flagstate on a PostgreSQL server reached by {@code database.url}. */
class IndexProtocolExternalDbIT extends IndexProtocolContract {
  @Override
  Map<String, String> databaseSettings() {
    return Map.of("database.url", TestDatabase.createDatabase(), "cache.static_max_age", "1h");
  }
}
