package org.flagstate.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
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
 */
public final class ConfigLoader {

  private static final String DEFAULTS_RESOURCE = "/conf/flagstate.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /**
   * FLAGSTATE_* names that are not configuration keys: the config file, the JVM options and log level
   * that scripts/run and logback read, and the test suite's database.
   */
  private static final Set<String> NOT_SETTINGS = Set.of("FLAGSTATE_CONFIG", "flagstate.config",
      "FLAGSTATE_JAVA_OPTS", "FLAGSTATE_LOG_LEVEL", "FLAGSTATE_LOG_FORMAT", "FLAGSTATE_TEST_DATABASE_URL", "flagstate.test.database.url");

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
    Map<String, Object> raw = new LinkedHashMap<>();
    Map<String, String> origins = new LinkedHashMap<>();
    Map<String, String> spellings = new LinkedHashMap<>();
    try (InputStream defaults = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
      if (defaults == null) {
        throw new ConfigException("the bundled defaults " + DEFAULTS_RESOURCE + " are missing from the jar");
      }
      flatten("", YAML.readTree(defaults), raw, origins, spellings, "the bundled defaults");
    } catch (IOException e) {
      throw new ConfigException("cannot read the bundled defaults: " + e.getMessage(), e);
    }
    if (file != null) {
      try {
        flatten("", YAML.readTree(Files.readString(file)), raw, origins, spellings, file.toString());
      } catch (IOException e) {
        throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage(), e);
      }
    }
    checkOverrides(environment.keySet(), Setting.ENV_PREFIX, Setting::environmentVariables, "environment variable");
    checkOverrides(systemProperties.stringPropertyNames(), Setting.PROPERTY_PREFIX, Setting::systemProperties,
        "system property");
    Map<String, Object> values = new LinkedHashMap<>();
    for (Setting setting : Setting.ALL) {
      String source = "key " + setting.key() + " in " + origins.getOrDefault(setting.key(), "the bundled defaults");
      Object value = raw.get(setting.key());
      String variable = onlyOneOf(setting.environmentVariables(), environment::get, "environment variables");
      if (variable != null) {
        value = environment.get(variable);
        source = "key " + setting.key() + " (environment variable " + variable + ")";
      }
      String property = onlyOneOf(setting.systemProperties(), systemProperties::getProperty, "system properties");
      if (property != null) {
        value = systemProperties.getProperty(property);
        source = "key " + setting.key() + " (system property " + property + ")";
      }
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

  /**
   * @param origins where each setting's value came from, by key
   * @param spellings the name (key or alias) each setting was last written with, by key
   */
  private static void flatten(String prefix, JsonNode node, Map<String, Object> into, Map<String, String> origins,
      Map<String, String> spellings, String origin) {
    if (node == null || node.isMissingNode() || node.isNull() && prefix.isEmpty()) {
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        flatten(prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(), field.getValue(), into, origins,
            spellings, origin);
      }
      return;
    }
    Setting setting = Setting.named(prefix).orElseThrow(() -> new ConfigException("unknown configuration key '"
        + prefix + "' in " + origin + "; known keys are listed in README.md"));
    String key = setting.key();
    String earlier = origins.put(key, origin);
    String earlierName = spellings.put(key, prefix);
    if (origin.equals(earlier) && !prefix.equals(earlierName)) {
      throw new ConfigException("configuration keys " + earlierName + " and " + prefix + " in " + origin
          + " name the same setting; keep one of them");
    }
    if (node.isTextual()) {
      into.put(key, node.textValue());
    } else if (node.isInt()) {
      into.put(key, node.intValue());
    } else if (node.isBoolean()) {
      into.put(key, node.booleanValue());
    } else if (node.isNull()) {
      into.remove(key);
    } else {
      throw new ConfigException("configuration key '" + prefix + "' in " + origin + " has a value of the wrong shape: "
          + node);
    }
  }

  private static void checkOverrides(Iterable<String> names, String prefix, Function<Setting, List<String>> namesOf,
      String kind) {
    for (String name : names) {
      if (name.startsWith(prefix) && !NOT_SETTINGS.contains(name)
          && Setting.ALL.stream().noneMatch(s -> namesOf.apply(s).contains(name))) {
        throw new ConfigException("unknown " + kind + " " + name + "; known keys are listed in README.md");
      }
    }
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
