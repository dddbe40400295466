package org.flagstate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Defaults, YAML file, FLAGSTATE_* environment, -Dflagstate.* properties, in rising precedence. */
class ConfigLoaderTest {

  @TempDir Path dir;

  private final Map<String, String> env = new HashMap<>();
  private final Properties props = new Properties();

  private FlagstateConfig load() {
    return new ConfigLoader(env, props).resolve(null);
  }

  private FlagstateConfig load(Path file) {
    return new ConfigLoader(env, props).resolve(file);
  }

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("flagstate.yaml");
    Files.writeString(file, text);
    return file;
  }

  private ConfigException refused(Path file) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> load(file));
    assertThat(e).as("configuration should be refused").isNotNull();
    return e;
  }

  // --- sources and precedence ---

  @Test
  void environmentVariablesOfTheScriptsAndTestsAreNotMistakenForKeys() {
    FlagstateConfig config =
        new ConfigLoader(
                Map.of(
                    "FLAGSTATE_JAVA_OPTS",
                    "-Xmx1g",
                    "FLAGSTATE_LOG_LEVEL",
                    "DEBUG",
                    "FLAGSTATE_CONFIG",
                    "x.yaml",
                    "FLAGSTATE_TEST_DATABASE_URL",
                    "postgresql://h/db"),
                new Properties())
            .resolve(null);
    assertThat(config.http().port()).isEqualTo(8088);
  }

  @Test
  void bundledDefaultsLoadWithoutAnyOverride() {
    FlagstateConfig config = load();

    assertThat(config.registry().url()).isEqualTo(URI.create("http://127.0.0.1:5000"));
    assertThat(config.registry().publicUrl()).isEmpty();
    assertThat(config.http().host()).isEqualTo("0.0.0.0");
    assertThat(config.http().port()).isEqualTo(8088);
    assertThat(config.http().pathPrefix()).isEmpty();
    assertThat(config.database().embedded()).isTrue();
    assertThat(config.database().poolSize()).isEqualTo(16);
    assertThat(config.database().statementTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.cache().staticMaxAge()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.cache().maxBytes()).isEqualTo(256L << 20);
    assertThat(config.cache().maxBodyBytes()).isEqualTo(16L << 20);
    assertThat(config.crawl().interval()).isEqualTo(Duration.ofHours(1));
    assertThat(config.crawl().retries()).isEqualTo(4);
    assertThat(config.crawl().retryBackoff()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.crawl().startBackoffMax()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.query().maxTerms()).isEqualTo(64);
    assertThat(config.query().maxQueryBytes()).isEqualTo(4096);
  }

  @Test
  void yamlFileOverridesDefaultsAndLeavesTheRest() throws IOException {
    Path file =
        yaml(
            """
        registry:
          url: https://registry.example.org
        http:
          port: 9000
        crawl:
          interval: 15m
        """);

    FlagstateConfig config = load(file);

    assertThat(config.registry().url()).isEqualTo(URI.create("https://registry.example.org"));
    assertThat(config.http().port()).isEqualTo(9000);
    assertThat(config.crawl().interval()).isEqualTo(Duration.ofMinutes(15));
    assertThat(config.http().host()).isEqualTo("0.0.0.0");
    assertThat(config.query().maxTerms()).isEqualTo(64);
  }

  @Test
  void theReconcileIntervalIsAnotherNameOfTheCrawlInterval() throws IOException {
    assertThat(load(yaml("crawl:\n  reconcile_interval: 10m\n")).crawl().interval())
        .isEqualTo(Duration.ofMinutes(10));
    env.put("FLAGSTATE_CRAWL_RECONCILE_INTERVAL", "20m");
    assertThat(load().crawl().interval()).isEqualTo(Duration.ofMinutes(20));
    props.setProperty("flagstate.crawl.reconcile_interval", "30m");
    assertThat(load().crawl().interval()).isEqualTo(Duration.ofMinutes(30));
  }

  @Test
  void bothNamesOfOneSettingAtOnceAreRefusedNamingBoth() throws IOException {
    assertThat(refused(yaml("crawl:\n  interval: 5m\n  reconcile_interval: 10m\n")).getMessage())
        .contains("crawl.interval and crawl.reconcile_interval")
        .contains("keep one");
    env.put("FLAGSTATE_CRAWL_INTERVAL", "5m");
    env.put("FLAGSTATE_CRAWL_RECONCILE_INTERVAL", "10m");
    assertThat(refused(null).getMessage())
        .contains("FLAGSTATE_CRAWL_INTERVAL and FLAGSTATE_CRAWL_RECONCILE_INTERVAL");
  }

  @Test
  void aFileMayOverrideTheDefaultThroughTheOtherName() throws IOException {
    Path file = yaml("crawl:\n  reconcile_interval: 2h\n");
    env.put("FLAGSTATE_CRAWL_INTERVAL", "3h");
    assertThat(load(file).crawl().interval()).isEqualTo(Duration.ofHours(3));
  }

  @Test
  void emptyYamlFileChangesNothing() throws IOException {
    assertThat(load(yaml(""))).isEqualTo(load());
  }

  @Test
  void environmentOverridesFile() throws IOException {
    Path file = yaml("http:\n  port: 9000\n");
    env.put("FLAGSTATE_HTTP_PORT", "9100");

    assertThat(load(file).http().port()).isEqualTo(9100);
  }

  @Test
  void systemPropertyOverridesEnvironment() throws IOException {
    Path file = yaml("http:\n  port: 9000\n");
    env.put("FLAGSTATE_HTTP_PORT", "9100");
    props.setProperty("flagstate.http.port", "9200");

    assertThat(load(file).http().port()).isEqualTo(9200);
  }

  @Test
  void eachLayerOverridesTheOnesBeforeItAndLeavesTheRest() throws IOException {
    Path file =
        yaml(
            "http:\n  port: 9000\nwebhook:\n  port: 9001\ncrawl:\n  retries: 1\nquery:\n  max_terms: 10\n");
    env.put("FLAGSTATE_WEBHOOK_PORT", "9101");
    env.put("FLAGSTATE_QUERY_MAX_TERMS", "20");
    props.setProperty("flagstate.crawl.retries", "2");
    props.setProperty("flagstate.query.max_terms", "30");

    FlagstateConfig config = load(file);

    assertThat(config.http().host()).as("bundled default").isEqualTo("0.0.0.0");
    assertThat(config.http().port()).as("file over default").isEqualTo(9000);
    assertThat(config.webhook().port()).as("environment over file").isEqualTo(9101);
    assertThat(config.crawl().retries()).as("system property over file").isEqualTo(2);
    assertThat(config.query().maxTerms())
        .as("system property over environment over file")
        .isEqualTo(30);
  }

  @Test
  void aLaterLayerOverridesAnEarlierOneWhicheverNameEitherUses() throws IOException {
    Path file = yaml("crawl:\n  interval: 10m\n");
    env.put("FLAGSTATE_CRAWL_RECONCILE_INTERVAL", "20m");
    assertThat(load(file).crawl().interval()).isEqualTo(Duration.ofMinutes(20));

    props.setProperty("flagstate.crawl.interval", "30m");
    assertThat(load(file).crawl().interval()).isEqualTo(Duration.ofMinutes(30));

    env.clear();
    props.clear();
    props.setProperty("flagstate.crawl.reconcile_interval", "40m");
    assertThat(load(file).crawl().interval()).isEqualTo(Duration.ofMinutes(40));
  }

  @Test
  void theValueThatWinsIsTheOneChecked() throws IOException {
    Path file = yaml("http:\n  host: ~\n  port: abc\n");
    env.put("FLAGSTATE_HTTP_HOST", "127.0.0.1");
    env.put("FLAGSTATE_HTTP_PORT", "9100");

    FlagstateConfig config = load(file);

    assertThat(config.http().host()).isEqualTo("127.0.0.1");
    assertThat(config.http().port()).isEqualTo(9100);
  }

  @Test
  void anIllTypedOverrideIsNamedByTheLayerItCameFrom() throws IOException {
    Path file = yaml("http:\n  port: 9000\n");
    env.put("FLAGSTATE_HTTP_PORT", "abc");

    assertThat(refused(file).getMessage())
        .contains("environment variable FLAGSTATE_HTTP_PORT")
        .doesNotContain(file.toString());
  }

  @Test
  void refusalsInSeveralLayersAreReportedInLayerOrder() throws IOException {
    Path file = yaml("http:\n  prot: 9000\n");
    env.put("FLAGSTATE_HTTP_PROT", "9000");
    props.setProperty("flagstate.http.prot", "9000");

    assertThat(refused(file).getMessage()).contains("'http.prot'").contains(file.toString());
    assertThat(refused(null).getMessage()).contains("environment variable FLAGSTATE_HTTP_PROT");
  }

  @Test
  void yamlFileOfOnlyCommentsChangesNothing() throws IOException {
    assertThat(load(yaml("# nothing overridden yet\n"))).isEqualTo(load());
  }

  @Test
  void unreadableYamlIsRefusedNamingTheFile() throws IOException {
    Path file = yaml("http:\n  port: [9000\n");

    assertThat(refused(file).getMessage()).contains("cannot read configuration file " + file);
  }

  @Test
  void yamlThatIsNotAMappingIsRefusedNamingTheFile() throws IOException {
    Path file = yaml("- http.port: 9000\n");

    assertThat(refused(file).getMessage()).contains("cannot read configuration file " + file);
  }

  @Test
  void missingYamlFileIsRefusedNamingIt() {
    Path file = dir.resolve("missing.yaml");

    assertThat(refused(file).getMessage()).contains(file.toString());
  }

  @Test
  void unquotedDateInTheFileIsRefusedRatherThanRewritten() throws IOException {
    // YAML reads 2024-01-01 as a timestamp; as text it would come back as 2024-01-01T00:00:00Z
    Path file = yaml("registry:\n  password: 2024-01-01\n");

    assertThat(refused(file).getMessage())
        .contains("registry.password")
        .contains(file.toString())
        .contains("wrong shape");
    assertThat(load(yaml("registry:\n  password: \"2024-01-01\"\n")).registry().password())
        .isEqualTo("2024-01-01");
  }

  @Test
  void environmentVariableNameIsTheKeyInUpperCaseWithUnderscores() {
    env.put("FLAGSTATE_REGISTRY_PUBLIC_URL", "/");
    env.put("FLAGSTATE_DATABASE_STATEMENT_TIMEOUT", "2s");

    FlagstateConfig config = load();

    assertThat(config.registry().publicUrl()).isEqualTo("/");
    assertThat(config.database().statementTimeout()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void environmentMaySetAStringToEmpty() throws IOException {
    Path file = yaml("database:\n  url: postgresql://db/flagstate\n");
    env.put("FLAGSTATE_DATABASE_URL", "");

    assertThat(load(file).database().embedded()).isTrue();
  }

  @Test
  void unrelatedEnvironmentAndPropertiesAndTheConfigFileSettingAreIgnored() {
    env.put("PATH", "/usr/bin");
    env.put("FLAGSTATEX", "1");
    env.put("FLAGSTATE_CONFIG", "/etc/flagstate.yaml");
    props.setProperty("java.version", "17");
    props.setProperty("flagstate.config", "/etc/flagstate.yaml");

    assertThat(load().http().port()).isEqualTo(8088);
  }

  // --- unknown names ---

  @Test
  void unknownYamlKeyIsNamedWithItsFile() throws IOException {
    Path file = yaml("http:\n  prot: 9000\n");

    ConfigException e = refused(file);

    assertThat(e.getMessage()).contains("http.prot").contains(file.toString());
  }

  @Test
  void unknownYamlSectionIsNamed() throws IOException {
    ConfigException e = refused(yaml("metrics:\n  enabled: true\n"));

    assertThat(e.getMessage()).contains("metrics.enabled");
  }

  @Test
  void yamlSectionGivenAsAValueIsRefused() throws IOException {
    ConfigException e = refused(yaml("http: 8080\n"));

    assertThat(e.getMessage()).contains("'http'");
  }

  @Test
  void unknownEnvironmentVariableIsNamed() {
    env.put("FLAGSTATE_HTTP_PROT", "9000");

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FLAGSTATE_HTTP_PROT")
        .hasMessageContaining("environment variable");
  }

  @Test
  void unknownSystemPropertyIsNamed() {
    props.setProperty("flagstate.http.prot", "9000");

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("flagstate.http.prot")
        .hasMessageContaining("system property");
  }

  // --- ill-typed values ---

  @Test
  void nonNumericPortFromEnvironmentNamesKeyAndVariable() {
    env.put("FLAGSTATE_HTTP_PORT", "abc");

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port")
        .hasMessageContaining("FLAGSTATE_HTTP_PORT")
        .hasMessageContaining("'abc'");
  }

  @Test
  void nonNumericPortFromSystemPropertyNamesKeyAndProperty() {
    props.setProperty("flagstate.http.port", "abc");

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.port")
        .hasMessageContaining("system property flagstate.http.port");
  }

  @Test
  void nonNumericPortInFileNamesKeyAndFile() throws IOException {
    Path file = yaml("http:\n  port: abc\n");

    ConfigException e = refused(file);

    assertThat(e.getMessage()).contains("http.port").contains(file.toString()).contains("'abc'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"70000", "0", "-1", "65536", "8080.5", "99999999999"})
  void portOutsideOneTo65535IsRefused(String port) {
    env.put("FLAGSTATE_HTTP_PORT", port);

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FLAGSTATE_HTTP_PORT")
        .hasMessageContaining("1..65535");
  }

  @Test
  void portOutOfRangeInFileIsRefused() throws IOException {
    Path file = yaml("http:\n  port: 70000\n");

    assertThat(refused(file).getMessage())
        .contains("http.port")
        .contains(file.toString())
        .contains("70000");
  }

  @ParameterizedTest
  @ValueSource(strings = {"5 minutes", "5", "m", "1.5h", "-5m", "5y"})
  void malformedDurationIsRefusedByName(String duration) {
    props.setProperty("flagstate.crawl.interval", duration);

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("crawl.interval")
        .hasMessageContaining("flagstate.crawl.interval")
        .hasMessageContaining("duration");
  }

  @Test
  void malformedDurationInFileIsRefusedByName() throws IOException {
    Path file = yaml("crawl:\n  interval: 5 minutes\n");

    assertThat(refused(file).getMessage()).contains("crawl.interval").contains(file.toString());
  }

  @ParameterizedTest
  @CsvSource({
    "ms, PT0.5S, 500",
    "s, PT30S, 30",
    "m, PT5M, 5",
    "h, PT2H, 2",
    "d, PT24H, 1",
    "S, PT30S, 30"
  })
  void durationUnitsAreRead(String unit, String expected, String amount) {
    env.put("FLAGSTATE_CRAWL_INTERVAL", amount + unit);

    assertThat(load().crawl().interval()).isEqualTo(Duration.parse(expected));
  }

  @Test
  void negativePoolSizeIsRefusedByName() throws IOException {
    Path file = yaml("database:\n  pool_size: -1\n");

    assertThat(refused(file).getMessage())
        .contains("database.pool_size")
        .contains(file.toString())
        .contains("greater than 0");
  }

  @Test
  void zeroPoolSizeIsRefused() {
    env.put("FLAGSTATE_DATABASE_POOL_SIZE", "0");

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FLAGSTATE_DATABASE_POOL_SIZE");
  }

  @Test
  void zeroRetriesAreAllowedButNegativeAreNot() {
    env.put("FLAGSTATE_CRAWL_RETRIES", "0");
    assertThat(load().crawl().retries()).isZero();

    env.put("FLAGSTATE_CRAWL_RETRIES", "-1");
    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("FLAGSTATE_CRAWL_RETRIES")
        .hasMessageContaining("0 or greater");
  }

  @Test
  void yamlListWhereAValueBelongsIsRefusedByName() throws IOException {
    Path file = yaml("http:\n  port: [1, 2]\n");

    assertThat(refused(file).getMessage()).contains("http.port").contains(file.toString());
  }

  @Test
  void nullInFileLeavesTheKeyWithoutAValue() throws IOException {
    Path file = yaml("http:\n  host: ~\n");

    assertThat(refused(file).getMessage()).contains("http.host").contains("no value");
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "no", "1", "0", "TRUE", "on", ""})
  void booleanSettingsTakeOnlyTrueOrFalse(String text) {
    // no key is boolean today; the type is there for the ones that will be
    assertThatThrownBy(() -> SettingType.BOOLEAN.parse(text))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void booleanSettingsReadTrueAndFalse() {
    assertThat(SettingType.BOOLEAN.parse("true")).isEqualTo(true);
    assertThat(SettingType.BOOLEAN.parse("false")).isEqualTo(false);
    assertThat(SettingType.BOOLEAN.parse(Boolean.TRUE)).isEqualTo(true);
  }

  // --- registry.url ---

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ftp://registry.example.org",
        "registry.example.org:5000",
        "http://",
        "file:///tmp/x",
        "://x",
        "http://exa mple.org"
      })
  void registryUrlMustBeHttpOrHttps(String url) {
    env.put("FLAGSTATE_REGISTRY_URL", url);

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("registry.url");
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://registry:5000", "https://registry.example.org/v2-mirror/"})
  void httpAndHttpsRegistryUrlsAreAccepted(String url) {
    env.put("FLAGSTATE_REGISTRY_URL", url);

    assertThat(load().registry().url()).isEqualTo(URI.create(url));
  }

  // --- http.path_prefix ---

  @ParameterizedTest
  @CsvSource(
      value = {"/x/, /x", "/x, /x", "/a/b/, /a/b", "/, ''", "'', ''"},
      quoteCharacter = '\'')
  void pathPrefixIsNormalised(String given, String expected) {
    env.put("FLAGSTATE_HTTP_PATH_PREFIX", given);

    assertThat(load().http().pathPrefix()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x", "flagstate/", "/x?a=1", "/x#y"})
  void pathPrefixNotStartingWithSlashIsRefused(String prefix) {
    env.put("FLAGSTATE_HTTP_PATH_PREFIX", prefix);

    assertThatThrownBy(this::load)
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("http.path_prefix");
  }

  // --- documentation ---

  @Test
  void readmeDocumentsEveryKeyWithItsEnvironmentVariableAndSystemProperty() throws IOException {
    Path readme = Path.of("README.md");
    assertThat(readme)
        .as(
            "README.md at %s must document every configuration key (Setting.ALL)",
            readme.toAbsolutePath())
        .exists();
    String text = Files.readString(readme);

    List<String> missing = new ArrayList<>();
    for (Setting setting : Setting.ALL) {
      List<String> names = new ArrayList<>(setting.names());
      names.addAll(setting.environmentVariables());
      names.addAll(setting.systemProperties());
      for (String name : names) {
        // a whole name: http.port inside flagstate.http.port does not count as the key being
        // documented
        Pattern whole = Pattern.compile("(?<![\\w.])" + Pattern.quote(name) + "(?!\\w|\\.\\w)");
        if (!whole.matcher(text).find()) {
          missing.add(name);
        }
      }
    }

    assertThat(missing).as("names from Setting.ALL that README.md does not mention").isEmpty();
  }
}
