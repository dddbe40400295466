package org.flagstate.webhook;

/**
 * A registry notification the index cares about: a manifest pushed (by tag, or a tagless child) or
 * deleted (by digest or by tag). {@code eventId} is the registry's id, which makes redelivery harmless.
 */
public record RegistryEvent(String eventId, String repository, String action, String digest, String tag,
    String mediaType, String timestamp) {}
