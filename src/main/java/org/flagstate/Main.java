package org.flagstate;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.flagstate.cluster.ClusterNode;
import org.flagstate.cluster.HazelcastCluster;
import org.flagstate.config.ConfigException;
import org.flagstate.config.ConfigLoader;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.ops.JvmLimits;
import org.flagstate.ops.Observability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The command line: reads the configuration, starts Vert.x (clustered with the other nodes when
 * {@code cluster.enabled}) with {@link MainVerticle}, stops on SIGTERM.
 */
@Command(
    name = "flagstate",
    mixinStandardHelpOptions = true,
    version = "Flagstate 0.1.0",
    description =
        "Index server beside a container registry: the Flatpak index, search and catalog.")
public final class Main implements java.util.concurrent.Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "YAML file overriding conf/flagstate.yaml's defaults (also FLAGSTATE_CONFIG)")
  private Path configFile;

  public static void main(String[] args) {
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    System.exit(new CommandLine(new Main()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path file = configFile;
    if (file == null && System.getenv("FLAGSTATE_CONFIG") != null) {
      file = Path.of(System.getenv("FLAGSTATE_CONFIG"));
    }
    if (file != null && !Files.isReadable(file)) {
      System.err.println("flagstate: configuration file " + file + " cannot be read");
      return 2;
    }
    FlagstateConfig config;
    try {
      config = ConfigLoader.load(file);
    } catch (ConfigException e) {
      System.err.println("flagstate: " + e.getMessage());
      return 2;
    }
    Observability observability = new Observability();
    VertxOptions options = new VertxOptions().setPreferNativeTransport(true);
    Vertx vertx;
    ClusterNode node;
    if (config.cluster().enabled()) {
      HazelcastClusterManager manager = HazelcastCluster.manager(config.cluster());
      try {
        vertx =
            observability
                .vertxBuilder(HazelcastCluster.eventBus(options, config.cluster()))
                .withClusterManager(manager)
                .buildClustered()
                .await(2, TimeUnit.MINUTES);
      } catch (Exception e) {
        System.err.println(
            "flagstate: could not join the cluster on "
                + config.cluster().host()
                + ":"
                + config.cluster().port()
                + " (event bus port "
                + config.cluster().busPort()
                + "): "
                + e.getMessage()
                + ". Check cluster.host, cluster.port, cluster.bus_port and that those ports are free.");
        return 1;
      }
      node = ClusterNode.of(manager);
      LOG.info(
          "Joined cluster '{}' as node {}: {} member(s) seen; Hazelcast on {}:{}, event bus on {}:{}",
          config.cluster().name(),
          node.id(),
          node.members().size(),
          config.cluster().host(),
          config.cluster().port(),
          config.cluster().host(),
          config.cluster().busPort());
    } else {
      vertx = observability.vertxBuilder(options).build();
      node = ClusterNode.standalone();
    }
    LOG.info(
        "Network transport: {}", vertx.isNativeTransportEnabled() ? "native epoll" : "Java NIO");
    LOG.info("JVM: {}", JvmLimits.current().describe());
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("Stopping Flagstate");
                  try {
                    vertx.close().await(30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    LOG.warn("Shutdown did not finish cleanly: {}", e.getMessage());
                  }
                  stopped.countDown();
                },
                "flagstate-shutdown"));
    vertx
        .deployVerticle(new MainVerticle(config, observability, node))
        .onFailure(
            cause -> {
              failure.set(cause);
              LOG.error("Flagstate could not start: {}", cause.getMessage());
              stopped.countDown();
            });
    stopped.await();
    if (failure.get() != null) {
      vertx.close().await(30, TimeUnit.SECONDS);
      return 1;
    }
    return 0;
  }
}
