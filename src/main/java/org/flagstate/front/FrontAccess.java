package org.flagstate.front;

import org.flagstate.config.FlagstateConfig;

/**
 * Whose credentials a pull through the registry front carries, decided once from the configuration.
 * The front must never become a way around the registry's own access control: Flagstate's crawling
 * account serves anonymous clients only when the operator asks for it with {@code
 * registry.front_credentials}.
 */
enum FrontAccess {
  /** No front: {@code /v2/<name>/manifests|blobs} are not served. */
  OFF,
  /**
   * Flagstate has no registry account: requests go upstream as an anonymous client would send them
   * (with anonymous Bearer tokens when the registry asks), plus the client's own {@code
   * Authorization} if any.
   */
  ANONYMOUS,
  /**
   * Flagstate has an account, used for crawling only: the client's own {@code Authorization} goes
   * upstream and the registry's 401 and challenge come back unchanged.
   */
  CLIENT_CREDENTIALS,
  /**
   * Flagstate's account is added to every pull, whoever asks ({@code registry.front_credentials:
   * true}).
   */
  SHARED_CREDENTIALS;

  static FrontAccess of(FlagstateConfig.Registry registry) {
    if (!registry.front()) {
      return OFF;
    }
    if (!registry.hasCredentials()) {
      return ANONYMOUS;
    }
    return registry.frontCredentials() ? SHARED_CREDENTIALS : CLIENT_CREDENTIALS;
  }

  /** What is exposed, in words, for the start-up log. */
  static String describe(FlagstateConfig.Registry registry) {
    return switch (of(registry)) {
      case OFF ->
          "Registry front is off (registry.front: false): clients pull from the registry directly";
      case ANONYMOUS ->
          "Registry front relays pulls without credentials of its own: the registry decides what "
              + "each client may read, as if it asked directly";
      case CLIENT_CREDENTIALS ->
          "Registry front passes each client's own credentials to the registry; the account "
              + "'"
              + registry.username()
              + "' is used for crawling only (set registry.front_credentials: true to "
              + "serve pulls with it)";
      case SHARED_CREDENTIALS ->
          "Registry front serves everything the registry account '"
              + registry.username()
              + "' can read to ANY client that reaches this listener (registry.front_credentials: true)";
    };
  }
}
