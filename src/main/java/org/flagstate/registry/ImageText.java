package org.flagstate.registry;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The title, description and icon a person would give an image: the one place they are worked out.
 * The crawler derives them for every manifest it stores and, from the manifest of a repository's
 * representative tag, for the repository; every endpoint (the Flatpak index aside, which passes
 * labels on verbatim) reads those stored columns and never derives them again.
 *
 * <p>Each value is the first non-blank one found, trying the keys below in order and, for each key,
 * the manifest's annotations before the config's labels:
 *
 * <ul>
 *   <li>title: {@code org.opencontainers.image.title}, {@code org.label-schema.name}, {@code
 *       io.k8s.display-name}, {@code name}, then the {@code <name>} of the Flatpak appstream data
 *       ({@code org.freedesktop.appstream.appdata});
 *   <li>description: {@code org.opencontainers.image.description}, {@code
 *       org.label-schema.description}, {@code io.k8s.description}, {@code description}, {@code
 *       summary}, then the appstream {@code <summary>};
 *   <li>icon: the Flatpak appstream icon {@code org.freedesktop.appstream.icon-64}, then {@code
 *       -128}, then any other {@code org.freedesktop.appstream.icon-<size>} (smallest size first),
 *       then Artifact Hub's {@code io.artifacthub.package.logo-url} (the OCI annotations define no
 *       icon). A value counts only when it is a {@code data:image/…} URI or an {@code http(s)} URL
 *       of at most {@link #MAX_ICON_CHARS} characters without whitespace; anything else (a {@code
 *       javascript:} URI, an oversized image) is passed over for the next key, so a web page can
 *       put the stored icon into {@code <img src>} as it is.
 * </ul>
 *
 * @param title null when no key carries one
 * @param description null when no key carries one
 * @param icon a data URI or URL, null when no key carries a usable one
 */
public record ImageText(String title, String description, String icon) {

  public static final ImageText NONE = new ImageText(null, null, null);

  /** Icons above this many characters (64 KiB of data URI) are not stored. */
  public static final int MAX_ICON_CHARS = 64 * 1024;

  private static final List<String> TITLE_KEYS =
      List.of(
          "org.opencontainers.image.title", "org.label-schema.name", "io.k8s.display-name", "name");
  private static final List<String> DESCRIPTION_KEYS =
      List.of(
          "org.opencontainers.image.description",
          "org.label-schema.description",
          "io.k8s.description",
          "description",
          "summary");
  private static final String APPDATA = "org.freedesktop.appstream.appdata";
  private static final String APPSTREAM_ICON = "org.freedesktop.appstream.icon-";
  private static final Pattern APPSTREAM_ICON_KEY =
      Pattern.compile(Pattern.quote(APPSTREAM_ICON) + "([0-9]{1,5})");
  private static final List<String> PREFERRED_ICON_KEYS =
      List.of(APPSTREAM_ICON + "64", APPSTREAM_ICON + "128");
  private static final String LOGO_URL = "io.artifacthub.package.logo-url";
  private static final Pattern USABLE_ICON =
      Pattern.compile("(?:data:image/|https?://)\\S+", Pattern.CASE_INSENSITIVE);

  public static ImageText of(Map<String, String> labels, Map<String, String> annotations) {
    String title = first(TITLE_KEYS, annotations, labels);
    String description = first(DESCRIPTION_KEYS, annotations, labels);
    if ((title == null || description == null) && labels.containsKey(APPDATA)) {
      ImageText appstream = fromAppstream(labels.get(APPDATA));
      title = title == null ? appstream.title() : title;
      description = description == null ? appstream.description() : description;
    }
    return new ImageText(title, description, icon(labels, annotations));
  }

  private static String first(
      List<String> keys, Map<String, String> annotations, Map<String, String> labels) {
    for (String key : keys) {
      for (Map<String, String> source : List.of(annotations, labels)) {
        String value = source.get(key);
        if (value != null && !value.isBlank()) {
          return value.strip();
        }
      }
    }
    return null;
  }

  private static String icon(Map<String, String> labels, Map<String, String> annotations) {
    SortedSet<String> otherSizes =
        new TreeSet<>(
            Comparator.comparingInt(ImageText::iconSize).thenComparing(Comparator.naturalOrder()));
    for (Map<String, String> source : List.of(annotations, labels)) {
      source.keySet().stream()
          .filter(key -> APPSTREAM_ICON_KEY.matcher(key).matches())
          .filter(key -> !PREFERRED_ICON_KEYS.contains(key))
          .forEach(otherSizes::add);
    }
    List<String> keys = new ArrayList<>(PREFERRED_ICON_KEYS);
    keys.addAll(otherSizes);
    keys.add(LOGO_URL);
    for (String key : keys) {
      for (Map<String, String> source : List.of(annotations, labels)) {
        String value = usableIcon(source.get(key));
        if (value != null) {
          return value;
        }
      }
    }
    return null;
  }

  private static int iconSize(String key) {
    return Integer.parseInt(key.substring(APPSTREAM_ICON.length()));
  }

  /**
   * The value stripped, when it is a data:image URI or http(s) URL within the size cap; else null.
   */
  static String usableIcon(String value) {
    if (value == null || value.length() > MAX_ICON_CHARS + 1024) {
      return null;
    }
    String stripped = value.strip();
    return stripped.length() <= MAX_ICON_CHARS && USABLE_ICON.matcher(stripped).matches()
        ? stripped
        : null;
  }

  /**
   * The untranslated {@code <name>} and {@code <summary>} of an appstream component; NONE if
   * unreadable.
   */
  public static ImageText fromAppstream(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(
          new DefaultHandler()); // unreadable data is NONE, not a line on stderr
      Element root = builder.parse(new InputSource(new StringReader(xml))).getDocumentElement();
      Element component = root;
      if (!root.getTagName().equals("component")) {
        NodeList components = root.getElementsByTagName("component");
        if (components.getLength() == 0) {
          return NONE;
        }
        component = (Element) components.item(0);
      }
      return new ImageText(
          untranslated(component, "name"), untranslated(component, "summary"), null);
    } catch (Exception unreadable) {
      return NONE;
    }
  }

  private static String untranslated(Element component, String tag) {
    NodeList nodes = component.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element
          && element.getAttribute("xml:lang").isEmpty()
          && element.getParentNode() == component) {
        String text = element.getTextContent().strip();
        if (!text.isEmpty()) {
          return text;
        }
      }
    }
    return null;
  }
}
