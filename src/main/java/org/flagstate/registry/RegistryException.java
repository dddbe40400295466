package org.flagstate.registry;

/**
 * A registry request that failed for good (after retries). {@link #status()} is the HTTP status, or
 * 0 when no response arrived; {@link #isPermanent()} tells whether asking again later could help.
 */
public final class RegistryException extends RuntimeException {

  private final int status;

  public RegistryException(String message, int status) {
    super(message);
    this.status = status;
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
    this.status = 0;
  }

  public int status() {
    return status;
  }

  /** A 4xx other than 401/408/429 will not change by retrying. */
  public boolean isPermanent() {
    return status >= 400 && status < 500 && status != 401 && status != 408 && status != 429;
  }
}
