package org.flagstate.config;

/**
 * A configuration problem that stops start-up; its message names the key and says what to change.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
