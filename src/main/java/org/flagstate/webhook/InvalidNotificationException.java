package org.flagstate.webhook;

/** A notification body Flagstate refuses (400); the message says what was wrong and where. */
public final class InvalidNotificationException extends RuntimeException {
  public InvalidNotificationException(String message) {
    super(message);
  }
}
