package org.flagstate.index;

import org.flagstate.testsupport.FlagstateEnvironment;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The index contract with Flagstate on a PostgreSQL server reached by {@code database.url}. */
class IndexProtocolExternalDbIT extends IndexProtocolContract {
  @RegisterExtension static final FlagstateEnvironment ENVIRONMENT = environment().build();
}
