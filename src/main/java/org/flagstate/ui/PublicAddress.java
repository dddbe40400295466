package org.flagstate.ui;

import io.vertx.core.http.HttpServerRequest;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;
import org.flagstate.config.FlagstateConfig;

/**
 * The addresses the UI's copyable commands name: the host to {@code podman pull} from and the URL
 * of the Flatpak remote. The registry host is {@code registry.public_url}'s when it is absolute,
 * this host's (as the browser reached it) when it is relative (Flagstate fronts the registry), else
 * {@code registry.url}'s. The Flatpak remote is always this Flagstate (it serves the index), under
 * {@code http.path_prefix}, over https except on a loopback address. A Host header that is not a
 * plain host[:port] is not used.
 */
final class PublicAddress {

  private static final Pattern HOST =
      Pattern.compile(
          "(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\\[[0-9A-Fa-f:.]{2,45}\\])"
              + "(?::[0-9]{1,5})?");

  private final FlagstateConfig config;

  PublicAddress(FlagstateConfig config) {
    this.config = config;
  }

  /** host[:port] to pull images from. */
  String registryHost(HttpServerRequest request) {
    String publicUrl = config.registry().publicUrl();
    if (!publicUrl.isEmpty()) {
      URI uri = parse(publicUrl);
      if (uri != null && uri.getHost() != null) {
        return authority(uri);
      }
      String host = requestHost(request);
      if (host != null) {
        return host;
      }
    }
    return authority(config.registry().url());
  }

  /** The Flatpak remote URL: {@code oci+https://host[:port][prefix]}. */
  String flatpakRemote(HttpServerRequest request) {
    String host = requestHost(request);
    if (host == null) {
      host = config.http().host() + ":" + config.http().port();
    }
    String bare = host.replaceFirst(":[0-9]+$", "").toLowerCase(Locale.ROOT);
    boolean loopback = bare.equals("localhost") || bare.startsWith("127.") || bare.equals("[::1]");
    return "oci+" + (loopback ? "http" : "https") + "://" + host + config.http().pathPrefix();
  }

  private static String requestHost(HttpServerRequest request) {
    String host = request.getHeader("Host");
    return host != null && HOST.matcher(host).matches() ? host : null;
  }

  private static String authority(URI uri) {
    return uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
  }

  private static URI parse(String text) {
    try {
      return URI.create(text);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
