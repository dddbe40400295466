package org.flagstate.ui;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Renders a page's view with its jte template (compiled to Java at build time, every value escaped
 * for the HTML context it lands in), and the headers every page carries: a strict
 * Content-Security-Policy (only this host's script, style and images, nothing inline), no sniffing,
 * no framing, no referrer to other hosts.
 */
final class HtmlPages {

  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; object-src 'none'; base-uri 'none'; "
          + "form-action 'self'; frame-ancestors 'none'";

  /** Sent with every page, kept with it in the cache (so 304s carry them too). */
  static final Map<String, String> HEADERS =
      Map.of(
          "Content-Type", "text/html; charset=utf-8",
          "Content-Security-Policy", CONTENT_SECURITY_POLICY,
          "X-Content-Type-Options", "nosniff",
          "X-Frame-Options", "DENY",
          "Referrer-Policy", "same-origin");

  private final TemplateEngine engine = TemplateEngine.createPrecompiled(ContentType.Html);

  /**
   * @param template the template's file name under {@code ui/templates}, e.g. {@code home.jte}
   */
  byte[] render(String template, Object view) {
    StringOutput output = new StringOutput(16 * 1024);
    engine.render(template, view, output);
    return output.toString().getBytes(StandardCharsets.UTF_8);
  }
}
