package org.flagstate.testsupport;

/**
 * The registry answered with a status a fixture did not expect; the message carries the request,
 * status and body because that is what one needs to see when a fixture fails inside an integration
 * test.
 */
public final class RegistryHttpException extends RuntimeException {

  private final int status;
  private final String body;

  public RegistryHttpException(String method, String uri, int status, String body) {
    super(method + " " + uri + " answered " + status + ": " + body);
    this.status = status;
    this.body = body;
  }

  public int status() {
    return status;
  }

  public String body() {
    return body;
  }
}
