package org.flagstate.ui;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.flagstate.registry.Digests;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.PushedImage;
import org.flagstate.testsupport.RegistryPusher;

/**
 * The sample content of the UI tests and of {@code scripts/demo}, pushed through the Registry API:
 * Flatpak apps with appstream data and PNG icons (labels as {@code flatpak build-bundle} writes
 * them) and their runtime, a multi-arch app, Cockpit plugins (one by marker label, one by appstream
 * {@code <extends>}), a multi-arch image list, and plain images with OCI labels in a few
 * namespaces.
 */
public final class UiSamples {

  public static final String COCKPIT_LABEL = "org.cockpit-project.plugin";
  public static final String PAINT = "flatpak/org.example.paint";
  public static final String WEATHER = "flatpak/org.example.weather";
  public static final String NOTES = "flatpak/org.example.notes";
  public static final String RUNTIME = "flatpak/org.example.platform";
  public static final String HTTPD = "tools/httpd";
  public static final String HELLO = "library/hello";
  public static final String COCKPIT_MARKED = "cockpit/podman-extras";
  public static final String COCKPIT_APPSTREAM = "cockpit/files-preview";

  private UiSamples() {}

  /** Pushes everything; returns the image {@code tools/httpd:latest} points to. */
  public static PushedImage push(RegistryPusher pusher) {
    pusher.pushImage(
        RUNTIME,
        "latest",
        flatpak(
            "org.example.Platform",
            true,
            "Example Platform",
            "Shared libraries for the example apps",
            "amd64",
            "x86_64",
            "24.08",
            null));
    PushedImage paint =
        pusher.pushImage(
            PAINT,
            "latest",
            flatpak(
                "org.example.Paint",
                false,
                "Paint",
                "Draw, paint and retouch pictures",
                "amd64",
                "x86_64",
                "2.1",
                new Color(0xE6, 0x5C, 0x2E)));
    pusher.tagExisting(PAINT, "2.1", paint.digest());
    pusher.pushImage(
        PAINT,
        "2.0",
        flatpak(
            "org.example.Paint",
            false,
            "Paint",
            "Draw, paint and retouch pictures",
            "amd64",
            "x86_64",
            "2.0",
            new Color(0xE6, 0x5C, 0x2E)));
    pusher.pushImage(
        NOTES,
        "latest",
        flatpak(
            "org.example.Notes",
            false,
            "Notes",
            "Write notes in Markdown",
            "amd64",
            "x86_64",
            "5.3",
            new Color(0xF5, 0xC2, 0x11)));
    pusher.pushMultiArch(
        WEATHER,
        "latest",
        IndexFormat.OCI_INDEX,
        List.of(
            flatpak(
                "org.example.Weather",
                false,
                "Weather",
                "Forecasts for the places you care about",
                "amd64",
                "x86_64",
                "46.1",
                new Color(0x1C, 0x71, 0xD8)),
            flatpak(
                "org.example.Weather",
                false,
                "Weather",
                "Forecasts for the places you care about",
                "arm64",
                "aarch64",
                "46.1",
                new Color(0x1C, 0x71, 0xD8))));

    pusher.pushImage(
        COCKPIT_MARKED,
        "latest",
        ImageSpec.oci()
            .withSeed("cockpit-podman-extras")
            .withCreated("2025-03-02T09:30:00Z")
            .withLabel(COCKPIT_LABEL, "podman-extras")
            .withLabel("org.opencontainers.image.title", "Podman extras for Cockpit")
            .withLabel(
                "org.opencontainers.image.description",
                "Pods, quadlets and auto-updates in Cockpit's Podman page")
            .withLabel(
                "org.opencontainers.image.source",
                "https://github.com/example/cockpit-podman-extras")
            .withLabel("org.opencontainers.image.licenses", "LGPL-2.1-or-later"));
    pusher.pushImage(
        COCKPIT_APPSTREAM,
        "latest",
        ImageSpec.oci()
            .withSeed("cockpit-files-preview")
            .withCreated("2025-02-11T16:00:00Z")
            .withLabel(
                "org.freedesktop.appstream.appdata",
                """
            <?xml version="1.0" encoding="UTF-8"?>
            <component type="addon">
              <id>org.cockpit_project.files_preview</id>
              <extends>org.cockpit_project.cockpit</extends>
              <name>File preview</name>
              <summary>Preview images and text in Cockpit's file browser</summary>
              <url type="homepage">https://example.org/cockpit-files-preview</url>
            </component>
            """)
            .withLabel("org.freedesktop.appstream.icon-64", icon(new Color(0x2E, 0x8B, 0x57))));

    pusher.pushMultiArch(
        HELLO,
        "latest",
        IndexFormat.OCI_INDEX,
        List.of(
            hello("amd64", null),
            hello("arm64", "v8"),
            hello("ppc64le", null),
            hello("s390x", null)));
    PushedImage httpd = pusher.pushImage(HTTPD, "latest", httpd("2.4.62", "httpd-2.4.62"));
    pusher.tagExisting(HTTPD, "2.4", httpd.digest());
    pusher.pushImage(HTTPD, "2.4.61", httpd("2.4.61", "httpd-2.4.61"));
    pusher.pushImage(
        "tools/redis-cli",
        "7.2",
        ImageSpec.dockerSchema2()
            .withSeed("redis-cli")
            .withCreated("2024-11-20T08:00:00Z")
            .withLabel("org.opencontainers.image.title", "redis-cli")
            .withLabel(
                "org.opencontainers.image.description",
                "The Redis command line client, nothing else"));
    pusher.pushImage(
        "db/postgres",
        "16",
        ImageSpec.oci()
            .withSeed("postgres-16")
            .withCreated("2025-01-15T10:00:00Z")
            .withLabel("io.k8s.display-name", "PostgreSQL 16")
            .withLabel("io.k8s.description", "An advanced open source relational database")
            .withLabel("org.opencontainers.image.url", "https://www.postgresql.org/"));
    return httpd;
  }

  /** An httpd image of {@code version}; a different {@code seed} makes a different digest. */
  public static ImageSpec httpd(String version, String seed) {
    return ImageSpec.oci()
        .withSeed(seed)
        .withCreated("2025-04-0" + (version.endsWith("2") ? "2" : "1") + "T12:00:00Z")
        .withLabel("org.opencontainers.image.title", "Apache HTTP Server")
        .withLabel(
            "org.opencontainers.image.description",
            "The Apache web server, configured for containers")
        .withLabel("org.opencontainers.image.version", version)
        .withLabel("org.opencontainers.image.source", "https://github.com/example/httpd-container")
        .withLabel("org.opencontainers.image.documentation", "https://httpd.apache.org/docs/2.4/")
        .withLabel("org.opencontainers.image.licenses", "Apache-2.0")
        .withLabel("org.opencontainers.image.vendor", "Example Inc.")
        .withAnnotation("org.opencontainers.image.revision", "4f1c2d9");
  }

  private static ImageSpec hello(String architecture, String variant) {
    return ImageSpec.oci()
        .withPlatform("linux", architecture, variant)
        .withSeed("hello-" + architecture)
        .withCreated("2025-05-20T07:45:00Z")
        .withLabel("org.opencontainers.image.title", "Hello")
        .withLabel(
            "org.opencontainers.image.description",
            "Prints a friendly greeting on every architecture")
        .withLabel("org.opencontainers.image.url", "https://example.org/hello");
  }

  /**
   * Labels as {@code flatpak build-bundle} writes them, with appstream data and 64/128 px icons.
   */
  public static ImageSpec flatpak(
      String id,
      boolean runtime,
      String name,
      String summary,
      String goArch,
      String flatpakArch,
      String version,
      Color color) {
    String branch = runtime ? "24.08" : "stable";
    String ref = (runtime ? "runtime/" : "app/") + id + "/" + flatpakArch + "/" + branch;
    String metadata =
        runtime
            ? "[Runtime]\nname="
                + id
                + "\nruntime="
                + id
                + "/"
                + flatpakArch
                + "/"
                + branch
                + "\nsdk="
                + id
                + ".Sdk/"
                + flatpakArch
                + "/"
                + branch
                + "\n"
            : "[Application]\nname="
                + id
                + "\nruntime=org.example.Platform/"
                + flatpakArch
                + "/24.08\nsdk="
                + "org.example.Sdk/"
                + flatpakArch
                + "/24.08\ncommand="
                + id.substring(id.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT)
                + "\n\n[Context]\nshared=network;ipc;\nsockets=wayland;fallback-x11;\n";
    String appdata =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <components version="0.8" origin="flatpak">
          <component type="%s">
            <id>%s</id>
            <name>%s</name>
            <summary>%s</summary>
            <description><p>%s is an example application for Flagstate's demo.</p></description>
            <project_license>GPL-3.0-or-later</project_license>
            <url type="homepage">https://example.org/%s</url>
            <releases><release version="%s" date="2025-05-01"/></releases>
          </component>
        </components>
        """
            .formatted(
                runtime ? "runtime" : "desktop-application", id, name, summary, name, id, version);
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("org.flatpak.ref", ref);
    labels.put("org.flatpak.metadata", metadata);
    labels.put(
        "org.flatpak.installed-size",
        Long.toString(runtime ? 412_000_000L : 8_000_000L + id.length() * 1_300_000L));
    labels.put(
        "org.flatpak.download-size",
        Long.toString(runtime ? 138_000_000L : 2_500_000L + id.length() * 400_000L));
    labels.put("org.flatpak.commit", commit(id + flatpakArch + version));
    labels.put("org.freedesktop.appstream.appdata", appdata);
    if (color != null) {
      labels.put("org.freedesktop.appstream.icon-64", icon(color));
    }
    return ImageSpec.oci()
        .withArchitecture(goArch)
        .withVariant(goArch.equals("arm64") ? "v8" : null)
        .withCreated("2025-05-01T12:00:00Z")
        .withLabels(labels)
        .withAnnotation("org.opencontainers.image.version", version)
        .withSeed(id + "/" + goArch + "/" + version);
  }

  /** The ostree commit a sample Flatpak image carries. */
  public static String commit(String seed) {
    return HexFormat.of()
        .formatHex(Digests.sha256Bytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  /**
   * A 64 px PNG icon as a {@code data:} URI: a rounded square of {@code color} with a white ring.
   */
  public static String icon(Color color) {
    System.setProperty("java.awt.headless", "true");
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(color);
    g.fill(new RoundRectangle2D.Double(2, 2, 60, 60, 18, 18));
    g.setColor(Color.WHITE);
    g.setStroke(new BasicStroke(6));
    g.draw(new Ellipse2D.Double(17, 17, 30, 30));
    g.fill(new Ellipse2D.Double(27, 27, 10, 10));
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
  }
}
