package org.flagstate.testsupport;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The bootstrap integration tests share, as one JUnit 5 extension started once per test class: a
 * fresh database ({@link TestDatabase}: the server named by {@code flagstate.test.database.url},
 * else an embedded one), a real docker-registry ({@link RegistryProcess}, notifying Flagstate's
 * webhook when asked), what the class pushes before the first sync (its {@linkplain Builder#seed
 * seed}), Flagstate itself ({@link FlagstateInstance}), and the wait for its first full sync.
 * Everything is stopped in reverse order after the class, also when a step of the start failed.
 *
 * <pre>{@code
 * @TestInstance(TestInstance.Lifecycle.PER_CLASS)
 * class SomeIT {
 *   @RegisterExtension
 *   static final FlagstateEnvironment ENVIRONMENT = FlagstateEnvironment.builder().seed(SomeIT::push).build();
 *
 *   void push(FlagstateEnvironment environment) {
 *     environment.pusher().pushImage("some/app", "latest", ImageSpec.oci());
 *   }
 *
 *   @Test
 *   void theAppIsIndexed(FlagstateInstance flagstate) { ... }
 * }
 * }</pre>
 *
 * <p>Test and lifecycle methods of the class get {@link FlagstateInstance}, {@link
 * RegistryProcess}, {@link RegistryPusher} and the environment itself as parameters. A test that
 * must not disturb what the others share starts an environment of its own: {@code try
 * (FlagstateEnvironment own = builder.build().start(this))}.
 */
public final class FlagstateEnvironment
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver, AutoCloseable {

  /** How long the first full sync may take before the start counts as failed. */
  public static final Duration FIRST_SYNC_TIMEOUT = Duration.ofSeconds(60);

  /**
   * Runs after the registry started and before Flagstate does: pushes what the first sync should
   * find, and may change {@linkplain #setting settings} and {@linkplain #closeAfterFlagstate
   * register} what it started. Usually an instance method of the test class ({@code SomeIT::push}),
   * called on the class's test instance.
   */
  @FunctionalInterface
  public interface Seed<T> {
    void seed(T test, FlagstateEnvironment environment) throws Exception;
  }

  private final boolean withRegistry;
  private final Consumer<RegistryProcess.Builder> registryOptions;
  private final String notificationToken;
  private final boolean embeddedDatabase;
  private final Seed<Object> seed;
  private final Map<String, String> settings;
  private final Deque<AutoCloseable> seeded = new ArrayDeque<>();

  private boolean started;
  private String databaseUrl;
  private Path embeddedDataDir;
  private RegistryProcess registry;
  private RegistryPusher pusher;
  private FlagstateInstance flagstate;
  private JsonObject firstSyncStatus;

  private FlagstateEnvironment(Builder builder) {
    this.withRegistry = builder.withRegistry;
    this.registryOptions = builder.registryOptions;
    this.notificationToken = builder.notificationToken;
    this.embeddedDatabase = builder.embeddedDatabase;
    this.seed = builder.seed;
    this.settings = new LinkedHashMap<>(builder.settings);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** What to start; {@link #build()} may be called again for another, independent environment. */
  public static final class Builder {
    private boolean withRegistry = true;
    private Consumer<RegistryProcess.Builder> registryOptions = options -> {};
    private String notificationToken;
    private boolean embeddedDatabase;
    private Seed<Object> seed;
    private final Map<String, String> settings =
        new LinkedHashMap<>(Map.of("crawl.interval", "1h"));

    private Builder() {}

    /** Options of the registry ({@code catalogMaxEntries}, {@code basicAuth}, ...). */
    public Builder registry(Consumer<RegistryProcess.Builder> options) {
      this.registryOptions = options;
      return this;
    }

    /**
     * Points the registry's notifications at Flagstate's webhook ({@code webhook.port} is chosen
     * now and kept across {@link #startFlagstate restarts}) with {@code token} as the Bearer token
     * both sides use.
     */
    public Builder notifications(String token) {
      this.notificationToken = token;
      return this;
    }

    /**
     * No registry: {@code registry.url} names a loopback port nothing listens on (a seed may point
     * it elsewhere), and there is no first sync to wait for.
     */
    public Builder withoutRegistry() {
      this.withRegistry = false;
      return this;
    }

    /**
     * Flagstate starts its own embedded PostgreSQL ({@code database.url} empty) in a temporary data
     * directory, deleted on close, instead of using a database made by {@link TestDatabase}.
     */
    public Builder embeddedDatabase() {
      this.embeddedDatabase = true;
      return this;
    }

    /**
     * See {@link Seed}; the test instance it gets is the class's (which must then be {@code
     * PER_CLASS}).
     */
    @SuppressWarnings("unchecked")
    public <T> Builder seed(Seed<T> seed) {
      this.seed = (Seed<Object>) seed;
      return this;
    }

    /**
     * A configuration key over the bundled defaults; {@code crawl.interval} is {@code 1h} unless
     * set here.
     */
    public Builder setting(String key, String value) {
      settings.put(key, value);
      return this;
    }

    public FlagstateEnvironment build() {
      if (!withRegistry && notificationToken != null) {
        throw new IllegalStateException("notifications need the registry");
      }
      return new FlagstateEnvironment(this);
    }
  }

  // --- lifecycle
  // ------------------------------------------------------------------------------------------------

  @Override
  public void beforeAll(ExtensionContext context) {
    Object test = context.getTestInstance().orElse(null);
    if (seed != null && test == null) {
      throw new IllegalStateException(
          context.getRequiredTestClass().getSimpleName()
              + ": a FlagstateEnvironment seed runs on the test instance; annotate the class"
              + " @TestInstance(TestInstance.Lifecycle.PER_CLASS)");
    }
    start(test);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  /** {@link #start(Object)} without a test instance (for seeds that need none). */
  public FlagstateEnvironment start() {
    return start(null);
  }

  /**
   * Starts the database, the registry, the seed (given {@code test}), Flagstate, and waits for the
   * first sync. When a step fails, what was started is stopped again before the failure is thrown.
   */
  public synchronized FlagstateEnvironment start(Object test) {
    if (started) {
      throw new IllegalStateException("this environment was started already; build() another");
    }
    started = true;
    try {
      if (embeddedDatabase) {
        embeddedDataDir = Files.createTempDirectory("flagstate-embedded-");
        settings.putIfAbsent("database.url", "");
        settings.putIfAbsent("database.data_dir", embeddedDataDir.resolve("pg").toString());
      } else {
        databaseUrl = TestDatabase.createDatabase();
        settings.putIfAbsent("database.url", databaseUrl);
      }
      if (notificationToken != null) {
        settings.putIfAbsent("webhook.port", Integer.toString(FlagstateInstance.freePort()));
        settings.putIfAbsent("webhook.token", notificationToken);
      }
      if (withRegistry) {
        RegistryProcess.Builder options = RegistryProcess.builder();
        if (notificationToken != null) {
          options.notifications(
              "http://127.0.0.1:" + settings.get("webhook.port") + "/events", notificationToken);
        }
        registryOptions.accept(options);
        registry = options.start();
        pusher = RegistryPusher.forRegistry(registry);
        settings.putIfAbsent("registry.url", registry.baseUrl());
      } else {
        settings.putIfAbsent("registry.url", "http://127.0.0.1:" + FlagstateInstance.freePort());
      }
      if (seed != null) {
        seed.seed(test, this);
      }
      startFlagstate();
      if (withRegistry) {
        firstSyncStatus = awaitFirstSync();
      }
      return this;
    } catch (Throwable failure) {
      try {
        close();
      } catch (RuntimeException closing) {
        failure.addSuppressed(closing);
      }
      if (failure instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (failure instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(
          "the Flagstate test environment did not start: " + failure, failure);
    }
  }

  /**
   * Stops, in reverse order of the start: Flagstate, what the seed registered, the registry, and
   * the database. Safe to call more than once and after a failed start; every step runs even when
   * one before it failed.
   */
  @Override
  public synchronized void close() {
    List<RuntimeException> failures = new ArrayList<>();
    attempt(failures, this::stopFlagstate);
    while (!seeded.isEmpty()) {
      AutoCloseable resource = seeded.pop();
      attempt(
          failures,
          () -> {
            try {
              resource.close();
            } catch (Exception e) {
              throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
            }
          });
    }
    if (registry != null) {
      RegistryProcess closing = registry;
      registry = null;
      pusher = null;
      attempt(failures, closing::close);
    }
    if (databaseUrl != null) {
      String dropping = databaseUrl;
      databaseUrl = null;
      attempt(failures, () -> TestDatabase.dropDatabase(dropping));
    }
    if (embeddedDataDir != null) {
      Path deleting = embeddedDataDir;
      embeddedDataDir = null;
      attempt(
          failures,
          () ->
              Commands.runOrFail(
                  List.of("rm", "-rf", deleting.toString()), Map.of(), Duration.ofSeconds(30)));
    }
    if (!failures.isEmpty()) {
      RuntimeException first = failures.get(0);
      failures.subList(1, failures.size()).forEach(first::addSuppressed);
      throw first;
    }
  }

  private static void attempt(List<RuntimeException> failures, Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      failures.add(e);
    }
  }

  // --- Flagstate
  // ------------------------------------------------------------------------------------------------

  /** The running Flagstate. */
  public synchronized FlagstateInstance flagstate() {
    if (flagstate == null) {
      throw new IllegalStateException(
          started ? "Flagstate is not running" : "the environment was not started");
    }
    return flagstate;
  }

  /**
   * Stops Flagstate (database and registry keep running); {@link #startFlagstate()} brings it back.
   */
  public synchronized void stopFlagstate() {
    if (flagstate != null) {
      FlagstateInstance stopping = flagstate;
      flagstate = null;
      stopping.close();
    }
  }

  /**
   * Starts Flagstate with this environment's settings (the same database and webhook port; a new
   * HTTP port) and returns it without waiting for a sync.
   */
  public synchronized FlagstateInstance startFlagstate() {
    if (flagstate != null) {
      throw new IllegalStateException("Flagstate is running already at " + flagstate.baseUrl());
    }
    flagstate = FlagstateInstance.start(settings);
    return flagstate;
  }

  /**
   * Waits until the running Flagstate completed its first full sync; returns {@code /status} as it
   * was then.
   */
  public JsonObject awaitFirstSync() {
    FlagstateInstance current = flagstate();
    try {
      return current.awaitStatus(
          s -> s.getJsonObject("crawler").getInteger("syncsCompleted", 0) >= 1, FIRST_SYNC_TIMEOUT);
    } catch (AssertionError e) {
      throw new AssertionError(
          "Flagstate did not complete its first sync: "
              + e.getMessage()
              + (registry == null ? "" : "\nregistry log:\n" + registry.logTail(30)),
          e);
    }
  }

  /** {@code /status} as it was when the first sync after the start had just completed. */
  public JsonObject firstSyncStatus() {
    if (firstSyncStatus == null) {
      throw new IllegalStateException(
          "no first sync was awaited (withoutRegistry, or not started)");
    }
    return firstSyncStatus;
  }

  // --- the rest
  // -------------------------------------------------------------------------------------------------

  public synchronized RegistryProcess registry() {
    if (registry == null) {
      throw new IllegalStateException(
          withRegistry ? "the registry is not running" : "built withoutRegistry()");
    }
    return registry;
  }

  /** A pusher for {@link #registry()}, with its credentials if it has any. */
  public synchronized RegistryPusher pusher() {
    registry();
    return pusher;
  }

  /** The database Flagstate uses, made by {@link TestDatabase}. */
  public synchronized String databaseUrl() {
    if (databaseUrl == null) {
      throw new IllegalStateException(
          embeddedDatabase ? "built with embeddedDatabase()" : "not started");
    }
    return databaseUrl;
  }

  /** The settings Flagstate starts with. */
  public synchronized Map<String, String> settings() {
    return Map.copyOf(settings);
  }

  /** Changes a setting for the next {@link #startFlagstate()}, typically from the seed. */
  public synchronized FlagstateEnvironment setting(String key, String value) {
    if (flagstate != null) {
      throw new IllegalStateException(
          "Flagstate is running; " + key + " would apply at its next start only");
    }
    settings.put(key, value);
    return this;
  }

  /**
   * Something the seed started (a server between Flagstate and the registry, ...): closed after
   * Flagstate stopped and before the registry, the last registered first.
   */
  public synchronized <C extends AutoCloseable> C closeAfterFlagstate(C resource) {
    seeded.push(resource);
    return resource;
  }

  // --- parameters
  // -----------------------------------------------------------------------------------------------

  private static final List<Class<?>> RESOLVED =
      List.of(
          FlagstateEnvironment.class,
          FlagstateInstance.class,
          RegistryProcess.class,
          RegistryPusher.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    try {
      if (type == FlagstateEnvironment.class) {
        return this;
      }
      if (type == FlagstateInstance.class) {
        return flagstate();
      }
      if (type == RegistryProcess.class) {
        return registry();
      }
      return pusher();
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(
          "cannot give "
              + parameter.getDeclaringExecutable().getName()
              + " a "
              + type.getSimpleName()
              + " (constructors run before the environment starts; take it in a @BeforeAll or"
              + " @Test method): "
              + e.getMessage(),
          e);
    }
  }
}
