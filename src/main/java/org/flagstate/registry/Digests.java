package org.flagstate.registry;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256, the one hash Flagstate computes: content digests in the registry's {@code sha256:<hex>}
 * form, response validators and token comparison all go through here.
 */
public final class Digests {

  private Digests() {}

  /** The registry's content digest of {@code bytes}, {@code sha256:<hex>}. */
  public static String sha256(Buffer bytes) {
    return sha256(bytes.getBytes());
  }

  /** The registry's content digest of {@code bytes}, {@code sha256:<hex>}. */
  public static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(sha256Bytes(bytes));
  }

  /** The raw 32-byte SHA-256 of the UTF-8 bytes of {@code text}. */
  public static byte[] sha256Bytes(String text) {
    return sha256Bytes(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The raw 32-byte SHA-256 of {@code bytes}. */
  public static byte[] sha256Bytes(byte[] bytes) {
    return newSha256().digest(bytes);
  }

  /** A fresh SHA-256 digest, for bytes that arrive in parts. */
  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }
}
