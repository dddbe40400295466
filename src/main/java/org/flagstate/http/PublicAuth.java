package org.flagstate.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flagstate.config.ConfigException;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.registry.Digests;

/**
 * Optional authentication on the public listener ({@code http.auth}), for private deployments;
 * public registries such as Fedora's leave it off. {@code basic} checks users of an htpasswd file
 * with bcrypt hashes ({@code htpasswd -B}, as docker-registry uses); {@code bearer} checks tokens
 * listed one per line. bcrypt is slow on purpose, so it runs off the event loop and good
 * credentials are remembered (by their hash) for a few minutes. {@code /health} and {@code /ready}
 * stay open for probes.
 */
public final class PublicAuth implements Handler<RoutingContext> {

  private static final Duration REMEMBER = Duration.ofMinutes(5);

  /** The kinds of {@code http.auth}. */
  public enum Kind {
    NONE,
    BASIC,
    BEARER
  }

  private final Vertx vertx;
  private final Kind kind;
  private final Map<String, String> bcryptByUser;
  private final List<byte[]> tokenHashes;
  private final Cache<String, Boolean> verified =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(REMEMBER).build();

  private PublicAuth(
      Vertx vertx, Kind kind, Map<String, String> bcryptByUser, List<byte[]> tokenHashes) {
    this.vertx = vertx;
    this.kind = kind;
    this.bcryptByUser = Map.copyOf(bcryptByUser);
    this.tokenHashes = List.copyOf(tokenHashes);
  }

  /** The handler {@code config} asks for, or null when {@code http.auth} is {@code none}. */
  public static PublicAuth of(Vertx vertx, FlagstateConfig.Http config) {
    Kind kind = kind(config.auth());
    if (kind == Kind.NONE) {
      return null;
    }
    if (config.authFile().isEmpty()) {
      throw new ConfigException(
          "http.auth is "
              + config.auth()
              + " but http.auth_file is empty; name the "
              + (kind == Kind.BASIC
                  ? "htpasswd file (htpasswd -B)"
                  : "file of tokens, one per line"));
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(Path.of(config.authFile()), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          "http.auth_file " + config.authFile() + " cannot be read: " + e.getMessage());
    }
    Map<String, String> users = new HashMap<>();
    List<byte[]> tokens = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (kind == Kind.BASIC) {
        int colon = line.indexOf(':');
        String hash = colon < 0 ? "" : line.substring(colon + 1);
        if (!hash.matches("\\$2[aby]\\$\\d\\d\\$.{53}")) {
          throw new ConfigException(
              "http.auth_file "
                  + config.authFile()
                  + ": the entry for '"
                  + (colon < 0 ? line : line.substring(0, colon))
                  + "' is not a bcrypt hash; create it with htpasswd -B");
        }
        users.put(line.substring(0, colon), hash);
      } else {
        tokens.add(Digests.sha256Bytes(line));
      }
    }
    if (users.isEmpty() && tokens.isEmpty()) {
      throw new ConfigException(
          "http.auth_file " + config.authFile() + " names nobody: nobody could read the index");
    }
    return new PublicAuth(vertx, kind, users, tokens);
  }

  static Kind kind(String text) {
    for (Kind kind : Kind.values()) {
      if (kind.name().equalsIgnoreCase(text)) {
        return kind;
      }
    }
    throw new ConfigException(
        "configuration key http.auth is '" + text + "', but it must be none, basic or bearer");
  }

  @Override
  public void handle(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    if (path.endsWith("/health") || path.endsWith("/ready")) {
      ctx.next();
      return;
    }
    String authorization = ctx.request().getHeader("Authorization");
    String expected = kind == Kind.BASIC ? "basic" : "bearer";
    int space = authorization == null ? -1 : authorization.indexOf(' ');
    if (space < 0 || !authorization.substring(0, space).toLowerCase(Locale.ROOT).equals(expected)) {
      refuse(ctx);
      return;
    }
    String credentials = authorization.substring(space + 1).strip();
    (kind == Kind.BASIC ? checkBasic(credentials) : Future.succeededFuture(checkToken(credentials)))
        .onComplete(
            outcome -> {
              if (outcome.succeeded() && outcome.result()) {
                ctx.next();
              } else {
                refuse(ctx);
              }
            });
  }

  private boolean checkToken(String token) {
    byte[] hash = Digests.sha256Bytes(token);
    boolean found = false;
    for (byte[] known : tokenHashes) {
      found |= MessageDigest.isEqual(known, hash);
    }
    return found;
  }

  private Future<Boolean> checkBasic(String encoded) {
    String pair;
    try {
      pair = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(false);
    }
    int colon = pair.indexOf(':');
    String hash = colon < 0 ? null : bcryptByUser.get(pair.substring(0, colon));
    if (hash == null || pair.length() > 1024) {
      return Future.succeededFuture(false);
    }
    String key = java.util.HexFormat.of().formatHex(Digests.sha256Bytes(pair));
    Boolean known = verified.getIfPresent(key);
    if (known != null) {
      return Future.succeededFuture(known);
    }
    char[] password = pair.substring(colon + 1).toCharArray();
    return vertx
        .executeBlocking(
            () -> BCrypt.verifyer().verify(password, hash.toCharArray()).verified, false)
        .onSuccess(result -> verified.put(key, result));
  }

  private void refuse(RoutingContext ctx) {
    ctx.response()
        .putHeader(
            "WWW-Authenticate",
            kind == Kind.BASIC
                ? "Basic realm=\"flagstate\", charset=\"UTF-8\""
                : "Bearer realm=\"flagstate\"");
    ErrorResponses.send(
        ctx.response(),
        401,
        "UNAUTHORIZED",
        kind == Kind.BASIC
            ? "this index is private: send Basic credentials of a user in http.auth_file"
            : "this index is private: send Authorization: Bearer <token>",
        null);
  }
}
