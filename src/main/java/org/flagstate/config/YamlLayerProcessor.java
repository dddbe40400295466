package org.flagstate.config;

import io.vertx.config.spi.ConfigProcessor;
import io.vertx.config.yaml.YamlProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The format of the YAML layers in {@link ConfigLoader}'s retriever: reads a file with
 * vertx-config-yaml, then turns its nested keys into a layer of {@link Setting} keys (an alias
 * becomes its key) whose values remember the file, so the retriever's merge lets a later layer
 * override whichever name either layer used. Refuses an unknown key, a section given as a value, a
 * value that is not a string, whole number or boolean, and both names of one setting in the same
 * file. A refusal is returned as the layer (see {@link ConfigLoader#refusal}) rather than as a
 * failure, so every layer is read before the first refusal, in layer order, is reported. Found by
 * vertx-config through {@code META-INF/services/io.vertx.config.spi.ConfigProcessor}.
 */
public final class YamlLayerProcessor implements ConfigProcessor {

  /** The store format naming this processor. */
  static final String FORMAT = "flagstate-yaml";

  /** In the store's configuration: where a key comes from in messages, such as the file's path. */
  static final String ORIGIN = "origin";

  /** In the store's configuration: what cannot be read, such as "configuration file my.yaml". */
  static final String DESCRIPTION = "description";

  private static final YamlProcessor YAML = new YamlProcessor();

  @Override
  public String name() {
    return FORMAT;
  }

  @Override
  public Future<JsonObject> process(Vertx vertx, JsonObject configuration, Buffer input) {
    String origin = configuration.getString(ORIGIN);
    String description = configuration.getString(DESCRIPTION);
    return YAML.process(vertx, configuration, input)
        .map(
            tree -> {
              JsonObject layer = new JsonObject();
              try {
                if (tree != null) {
                  flatten("", tree, layer, new HashMap<>(), origin);
                }
                return layer;
              } catch (ConfigException e) {
                return ConfigLoader.refusal(description, e.getMessage());
              }
            })
        .otherwise(
            e ->
                ConfigLoader.refusal(
                    description, "cannot read " + description + ": " + e.getMessage()));
  }

  /**
   * @param node a section or a value as the YAML parser gave it (not as {@link JsonObject}'s
   *     getters convert it, which would turn a date into text that the file does not hold)
   * @param spellings the name (key or alias) each setting was written with in this file, by key
   */
  private static void flatten(
      String prefix, Object node, JsonObject layer, Map<String, String> spellings, String origin) {
    if (node instanceof JsonObject section) {
      for (Map.Entry<String, Object> field : section.getMap().entrySet()) {
        flatten(
            prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
            field.getValue(),
            layer,
            spellings,
            origin);
      }
      return;
    }
    Setting setting =
        Setting.named(prefix)
            .orElseThrow(
                () ->
                    new ConfigException(
                        "unknown configuration key '"
                            + prefix
                            + "' in "
                            + origin
                            + "; known keys are listed in README.md"));
    String key = setting.key();
    String earlierName = spellings.put(key, prefix);
    if (earlierName != null && !prefix.equals(earlierName)) {
      throw new ConfigException(
          "configuration keys "
              + earlierName
              + " and "
              + prefix
              + " in "
              + origin
              + " name the same setting; keep one of them");
    }
    if (!(node == null
        || node instanceof String
        || node instanceof Integer
        || node instanceof Boolean)) {
      throw new ConfigException(
          "configuration key '"
              + prefix
              + "' in "
              + origin
              + " has a value of the wrong shape: "
              + (node instanceof List<?> list ? new JsonArray(list).encode() : node));
    }
    layer.put(key, ConfigLoader.value(node, "key " + key + " in " + origin));
  }
}
