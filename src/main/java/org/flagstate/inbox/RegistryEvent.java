package org.flagstate.inbox;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A registry notification the index cares about, as the webhook accepts it and the inbox stores it:
 * a manifest pushed (by tag, or a tagless child) or deleted (by digest or by tag). {@code eventId}
 * is the registry's id, which makes redelivery harmless; {@code occurredAt} is the registry's own
 * timestamp text.
 */
public record RegistryEvent(
    String eventId,
    String repository,
    Action action,
    String digest,
    String tag,
    String mediaType,
    String occurredAt) {

  /** What happened to the manifest; the names are the registry's and the inbox table's. */
  public enum Action {
    PUSH,
    DELETE;

    /**
     * The action named {@code name} ({@code push} or {@code delete}), or empty for any other
     * action.
     */
    public static Optional<Action> named(String name) {
      return switch (name) {
        case "push" -> Optional.of(PUSH);
        case "delete" -> Optional.of(DELETE);
        default -> Optional.empty();
      };
    }

    /** The name in notifications and in the inbox table. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RegistryEvent {
    Objects.requireNonNull(eventId, "eventId");
    Objects.requireNonNull(repository, "repository");
    Objects.requireNonNull(action, "action");
    if (digest == null && tag == null) {
      throw new IllegalArgumentException("an event names a digest or a tag");
    }
  }

  public boolean isPush() {
    return action == Action.PUSH;
  }
}
