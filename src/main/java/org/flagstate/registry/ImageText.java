package org.flagstate.registry;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * The title and description a person would give an image, from the first of the well-known labels and
 * annotations that carries one, falling back to the name and summary of Flatpak appstream data.
 * Search and the web UI show these.
 */
public record ImageText(String title, String description) {

  public static final ImageText NONE = new ImageText(null, null);

  private static final List<String> TITLE_KEYS = List.of("org.opencontainers.image.title", "org.label-schema.name",
      "io.k8s.display-name", "name");
  private static final List<String> DESCRIPTION_KEYS = List.of("org.opencontainers.image.description",
      "org.label-schema.description", "io.k8s.description", "description", "summary");
  private static final String APPDATA = "org.freedesktop.appstream.appdata";

  public static ImageText of(Map<String, String> labels, Map<String, String> annotations) {
    String title = first(TITLE_KEYS, annotations, labels);
    String description = first(DESCRIPTION_KEYS, annotations, labels);
    if ((title == null || description == null) && labels.containsKey(APPDATA)) {
      ImageText appstream = fromAppstream(labels.get(APPDATA));
      title = title == null ? appstream.title() : title;
      description = description == null ? appstream.description() : description;
    }
    return new ImageText(title, description);
  }

  private static String first(List<String> keys, Map<String, String> annotations, Map<String, String> labels) {
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

  /** The untranslated {@code <name>} and {@code <summary>} of an appstream component; NONE if unreadable. */
  static ImageText fromAppstream(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      Element root = factory.newDocumentBuilder().parse(new InputSource(new StringReader(xml))).getDocumentElement();
      Element component = root;
      if (!root.getTagName().equals("component")) {
        NodeList components = root.getElementsByTagName("component");
        if (components.getLength() == 0) {
          return NONE;
        }
        component = (Element) components.item(0);
      }
      return new ImageText(untranslated(component, "name"), untranslated(component, "summary"));
    } catch (Exception unreadable) {
      return NONE;
    }
  }

  private static String untranslated(Element component, String tag) {
    NodeList nodes = component.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      Node node = nodes.item(i);
      if (node instanceof Element element && element.getAttribute("xml:lang").isEmpty()
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
