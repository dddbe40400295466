package org.flagstate.http;

/**
 * A client sent a query Flagstate refuses; rendered as a 400 whose JSON names {@link #parameter()}.
 */
public final class InvalidQueryException extends RuntimeException {

  private final String parameter;

  public InvalidQueryException(String parameter, String message) {
    super(message);
    this.parameter = parameter;
  }

  public String parameter() {
    return parameter;
  }
}
