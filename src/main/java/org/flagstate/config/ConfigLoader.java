package org.flagstate.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds the effective configuration from, in rising precedence: the defaults bundled from
 * {@code conf/flagstate.yaml}, an optional YAML file, {@code FLAGSTATE_*} environment variables and
 * {@code -Dflagstate.*} system properties. Unknown keys and ill-typed values are refused by name.
 *
 * <p>The layering is vertx-config's: one {@link ConfigRetriever} with a store per layer, in that order, whose merge
 * lets a later layer win. One well-kept library reads the YAML files (vertx-config-yaml) and stacks the sources, so
 * Flagstate keeps no merge and no file reading of its own. The defaults are the file store's
 * {@code conf/flagstate.yaml}, which Vert.x looks for in the working directory and then on the classpath, where
 * the jar has it.
 *
 * <p>Flagstate's strict validation stays on top, with {@link Setting#ALL} the one list of names and types:
 * <ul>
 *   <li>Each layer is mapped onto setting keys before the merge, so an alias and its key are one entry and a later
 *       layer overrides an earlier one whichever name either used. {@link YamlLayerProcessor}, the YAML stores'
 *       format, does this for the files and refuses an unknown key, a value that is not a string, whole number or
 *       boolean (a list, a date) and both names of one setting in one file.
 *   <li>The environment and the system properties are flat names ({@code FLAGSTATE_CRAWL_INTERVAL},
 *       {@code flagstate.crawl.interval}, as vertx-config's env and sys stores give them), mapped through
 *       {@link Setting#environmentVariables()} and {@link Setting#systemProperties()}; a {@code FLAGSTATE_*} or
 *       {@code flagstate.*} name that is no setting is refused, except {@link #NOT_SETTINGS}, and so are both names
 *       of one setting. They reach the retriever as json stores of the environment and properties this loader was
 *       given, not as the env and sys stores, which always read the process's own (tests pass theirs).
 *   <li>Every value carries where it came from, so after the merge {@link SettingType} checks each setting's value
 *       and a refusal names the key and its file, variable or property.
 * </ul>
 *
 * <p>Loading is synchronous: {@link #resolve} runs the retriever on a Vertx instance of its own, closed before it
 * returns, and blocks until the retriever answers. {@code Main} calls it on the main thread before the server's
 * Vertx starts; it must not be called on an event loop.
 */
public final class ConfigLoader {

  private static final String DEFAULTS = "conf/flagstate.yaml";
  private static final String VALUE = "value";
  private static final String SOURCE = "source";
  private static final String REFUSED = "refused";

  /**
   * FLAGSTATE_* names that are not configuration keys: the config file, the JVM options, heap and direct
   * memory and log level that scripts/run and logback read, and the test suite's database.
   */
  private static final Set<String> NOT_SETTINGS = Set.of("FLAGSTATE_CONFIG", "flagstate.config",
      "FLAGSTATE_JAVA_OPTS", "FLAGSTATE_HEAP", "FLAGSTATE_DIRECT_MEMORY", "FLAGSTATE_LOG_LEVEL", "FLAGSTATE_LOG_FORMAT", "FLAGSTATE_TEST_DATABASE_URL", "flagstate.test.database.url");

  private final Map<String, String> environment;
  private final Properties systemProperties;

  public ConfigLoader(Map<String, String> environment, Properties systemProperties) {
    this.environment = Map.copyOf(environment);
    this.systemProperties = systemProperties;
  }

  /** Loads from the process environment and system properties. */
  public static FlagstateConfig load(Path file) {
    return new ConfigLoader(System.getenv(), System.getProperties()).resolve(file);
  }

  /** @param file an optional YAML file whose keys override the defaults; may be null */
  public FlagstateConfig resolve(Path file) {
    Map<String, String> properties = new LinkedHashMap<>();
    systemProperties.stringPropertyNames().forEach(name -> properties.put(name, systemProperties.getProperty(name)));
    ConfigRetrieverOptions options = new ConfigRetrieverOptions().setScanPeriod(0)
        .addStore(yaml(DEFAULTS, "the bundled defaults", "the bundled defaults"));
    if (file != null) {
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        // refused before the retriever starts, which would stop at it with the defaults still being read
        throw new ConfigException("cannot read configuration file " + file + ": no such readable file");
      }
      options.addStore(yaml(file.toString(), file.toString(), "configuration file " + file));
    }
    options.addStore(json(overrides(environment, Setting.ENV_PREFIX, Setting::environmentVariables,
            "environment variable", "environment variables")))
        .addStore(json(overrides(properties, Setting.PROPERTY_PREFIX, Setting::systemProperties, "system property",
            "system properties")));
    JsonObject merged = retrieve(options);
    JsonObject refused = merged.getJsonObject(REFUSED);
    if (refused != null) {
      // the refusals by layer, in the retriever's merge order: the first is the earliest layer's
      throw new ConfigException(refused.getString(refused.fieldNames().iterator().next()));
    }
    return typed(merged);
  }

  /** A layer's entry for a setting: its raw value and where it came from, for messages. */
  static JsonObject value(Object raw, String source) {
    return new JsonObject().put(VALUE, raw).put(SOURCE, source);
  }

  /**
   * A layer that refuses the configuration. It is a layer rather than a failure so that the retriever reads every
   * layer before the loader reports the first refusal; no setting key lacks a dot, so none can be {@value #REFUSED}.
   *
   * @param layer names the layer, such as "configuration file my.yaml"
   */
  static JsonObject refusal(String layer, String message) {
    return new JsonObject().put(REFUSED, new JsonObject().put(layer, message));
  }

  private static JsonObject retrieve(ConfigRetrieverOptions options) {
    Vertx vertx = Vertx.vertx();
    try {
      ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
      return retriever.getConfig().eventually(retriever::close).await();
    } catch (Exception e) {
      throw new ConfigException("cannot read the configuration: " + e.getMessage(), e);
    } finally {
      vertx.close().await();
    }
  }

  private static ConfigStoreOptions yaml(String path, String origin, String description) {
    return new ConfigStoreOptions().setType("file").setFormat(YamlLayerProcessor.FORMAT).setConfig(new JsonObject()
        .put("path", path).put(YamlLayerProcessor.ORIGIN, origin).put(YamlLayerProcessor.DESCRIPTION, description));
  }

  private static ConfigStoreOptions json(JsonObject layer) {
    return new ConfigStoreOptions().setType("json").setConfig(layer);
  }

  /**
   * The settings among flat names such as environment variables, as a layer, or its {@link #refusal}.
   *
   * @param namesOf the names a setting answers to in {@code values}
   */
  private static JsonObject overrides(Map<String, String> values, String prefix, Function<Setting, List<String>> namesOf,
      String kind, String kinds) {
    try {
      for (String name : values.keySet()) {
        if (name.startsWith(prefix) && !NOT_SETTINGS.contains(name)
            && Setting.ALL.stream().noneMatch(s -> namesOf.apply(s).contains(name))) {
          throw new ConfigException("unknown " + kind + " " + name + "; known keys are listed in README.md");
        }
      }
      JsonObject layer = new JsonObject();
      for (Setting setting : Setting.ALL) {
        String name = onlyOneOf(namesOf.apply(setting), values::get, kinds);
        if (name != null) {
          layer.put(setting.key(), value(values.get(name), "key " + setting.key() + " (" + kind + " " + name + ")"));
        }
      }
      return layer;
    } catch (ConfigException e) {
      return refusal("the " + kinds, e.getMessage());
    }
  }

  /** Checks the merged value of every setting against its type. */
  private static FlagstateConfig typed(JsonObject merged) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting setting : Setting.ALL) {
      JsonObject entry = merged.getJsonObject(setting.key(), value(null, "key " + setting.key()
          + " in the bundled defaults"));
      String source = entry.getString(SOURCE);
      Object value = entry.getValue(VALUE);
      if (value == null) {
        throw new ConfigException("configuration " + source + " has no value; set it to "
            + setting.type().description());
      }
      try {
        values.put(setting.key(), setting.type().parse(value));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("configuration " + source + " is '" + value + "', but it must be "
            + setting.type().description());
      }
    }
    return FlagstateConfig.from(values);
  }

  /** The one name of {@code names} that {@code lookup} has a value for, or null; two at once is an error. */
  private static String onlyOneOf(List<String> names, Function<String, String> lookup, String kind) {
    List<String> present = names.stream().filter(name -> lookup.apply(name) != null).toList();
    if (present.size() > 1) {
      throw new ConfigException("the " + kind + " " + String.join(" and ", present)
          + " set the same setting; keep one of them");
    }
    return present.isEmpty() ? null : present.get(0);
  }
}
