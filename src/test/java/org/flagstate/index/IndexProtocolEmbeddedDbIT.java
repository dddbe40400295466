package org.flagstate.index;

import org.flagstate.testsupport.FlagstateEnvironment;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The index contract with Flagstate starting its own embedded PostgreSQL (no {@code database.url}).
 */
class IndexProtocolEmbeddedDbIT extends IndexProtocolContract {
  @RegisterExtension
  static final FlagstateEnvironment ENVIRONMENT = environment().embeddedDatabase().build();
}
