package org.flagstate.crawl;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.bus.Addresses;
import org.flagstate.bus.IndexChanged;
import org.flagstate.cluster.ChangeBroadcaster;
import org.flagstate.cluster.ClusterNode;
import org.flagstate.cluster.CrawlerLock;
import org.flagstate.config.FlagstateConfig;
import org.flagstate.db.SharedPool;
import org.flagstate.inbox.InboxStore;
import org.flagstate.registry.RegistryClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only writer of the index. Runs a full sync at start and every {@code crawl.interval}; while
 * the registry is unreachable it keeps the stored index served and retries with backoff. Each
 * commit's {@link IndexChanged} reaches every node's cache once: by NOTIFY sent inside the
 * transaction when nodes are not clustered, published on the clustered event bus right after the
 * commit when they are ({@link ChangeBroadcaster}). New inbox events wake it the same way (NOTIFY,
 * or the bus). Exactly one node crawls: the one holding {@link CrawlerLock}. It answers this node's
 * status requests on the event bus.
 */
public final class CrawlerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(CrawlerVerticle.class);
  private static final Duration PROGRESS_LOG_PERIOD = Duration.ofSeconds(5);
  private static final Duration FIRST_RETRY = Duration.ofSeconds(1);

  /**
   * Safety net: events are normally applied on the inbox's NOTIFY, which is lost while LISTEN
   * reconnects.
   */
  private static final Duration INBOX_POLL = Duration.ofSeconds(5);

  private static final Duration LEADER_RETRY = Duration.ofSeconds(5);
  private final FlagstateConfig config;
  private final ClusterNode node;
  private final PgConnectOptions database;
  private final CrawlProgress progress = new CrawlProgress();
  private Pool pool;
  private RegistryClient registry;
  private FullSync fullSync;
  private long syncTimer = -1;
  private long progressTimer = -1;
  private long inboxPoll = -1;
  private long depthTimer = -1;
  private IndexWriter writer;
  private InboxStore inboxStore;
  private PgSubscriber inboxWakeUps;
  private InboxApplier inbox;
  private SqlConnection leader;
  private boolean askingForLock;
  private boolean stopping;

  /** Null when nodes are not clustered (NOTIFY carries the changes). */
  private ChangeBroadcaster broadcaster;

  private final List<Message<Object>> waitingForNextSync = new ArrayList<>();

  private final MeterRegistry meters;
  private CrawlMetrics metrics;

  public CrawlerVerticle(FlagstateConfig config, PgConnectOptions database, MeterRegistry meters) {
    this(config, ClusterNode.standalone(), database, meters);
  }

  /**
   * @param node this node, whose id names the crawler lock's session and whose view {@code /status}
   *     shows
   */
  public CrawlerVerticle(
      FlagstateConfig config, ClusterNode node, PgConnectOptions database, MeterRegistry meters) {
    this.config = config;
    this.node = node;
    this.database = database;
    this.meters = meters;
  }

  @Override
  public Future<?> start() {
    pool = SharedPool.create(vertx, database, config.database().poolSize());
    metrics = new CrawlMetrics(meters, progress);
    registry = new RegistryClient(vertx, config.registry(), config.crawl(), meters);
    boolean clustered = vertx.isClustered();
    writer = new IndexWriter(pool, !clustered);
    if (clustered) {
      broadcaster = new ChangeBroadcaster(vertx, context, node.id());
      // a member that left may have held the lock: ask now instead of at the next retry
      node.onMemberLeft(context, this::askForLockNow);
    }
    inboxStore = new InboxStore(pool);
    RepositoryLocks locks = new RepositoryLocks();
    ManifestFetcher fetcher = new ManifestFetcher(registry, writer::knownDigests);
    fullSync =
        new FullSync(
            registry,
            writer,
            fetcher,
            locks,
            progress,
            config.crawl().concurrency(),
            this::committed);
    inbox = new InboxApplier(vertx, inboxStore, writer, fetcher, locks, this::committed);
    return vertx
        .eventBus()
        .localConsumer(Addresses.CRAWLER_STATUS, this::status)
        .completion()
        .compose(
            v ->
                vertx
                    .eventBus()
                    .localConsumer(Addresses.CRAWLER_SYNC, this::syncRequested)
                    .completion())
        .compose(v -> listenForNewEvents())
        .onSuccess(
            v -> {
              depthTimer =
                  vertx.setPeriodic(
                      INBOX_POLL.toMillis(),
                      id ->
                          inboxStore
                              .status()
                              .onSuccess(status -> metrics.inboxDepth(status.getLong("pending"))));
              becomeLeaderOrWait();
            });
  }

  /**
   * The webhook's commit of new events sends a NOTIFY (clustered: an {@link
   * org.flagstate.bus.InboxAppended} on the bus), whichever node received them; the crawling node
   * applies them at once. Until LISTEN is (re)established, or when a bus message is lost, the
   * periodic poll picks them up.
   */
  private Future<Void> listenForNewEvents() {
    if (broadcaster != null) {
      return vertx
          .eventBus()
          .consumer(
              Addresses.INBOX_APPENDED,
              message -> {
                if (leader != null) {
                  inbox.wake();
                }
              })
          .completion();
    }
    inboxWakeUps = PgSubscriber.subscriber(vertx, database).reconnectPolicy(retries -> 1000L);
    inboxWakeUps
        .channel(InboxStore.WAKE_CHANNEL)
        .handler(
            payload -> {
              if (leader != null) {
                inbox.wake();
              }
            });
    return inboxWakeUps
        .connect()
        .onFailure(
            failure ->
                LOG.warn(
                    "Cannot listen for new registry events ({}); they are applied by the {} s poll instead",
                    failure.getMessage(),
                    INBOX_POLL.toSeconds()))
        .otherwiseEmpty();
  }

  /**
   * Only one crawler may write to a database: the node that holds {@link CrawlerLock} on a
   * connection of its own crawls; the others serve and try again every few seconds (clustered: also
   * as soon as a member leaves their view). A node that dies loses its connection, and PostgreSQL
   * releases the lock with it.
   */
  private void becomeLeaderOrWait() {
    if (stopping || leader != null || askingForLock) {
      return;
    }
    askingForLock = true;
    CrawlerLock.tryAcquire(pool, node.id())
        .onComplete(
            outcome -> {
              askingForLock = false;
              if (stopping && outcome.succeeded() && outcome.result() != null) {
                outcome.result().close();
                return;
              }
              if (outcome.succeeded() && outcome.result() != null) {
                vertx.cancelTimer(syncTimer);
                leader = outcome.result();
                metrics.leader(true);
                if (broadcaster != null) {
                  broadcaster.lockTaken();
                }
                leader.closeHandler(v -> lostLeadership());
                LOG.info("This node crawls the registry (it holds the crawler lock)");
                inbox
                    .replay()
                    .onFailure(
                        failure ->
                            LOG.warn(
                                "Replaying stored registry events failed: {}; retrying",
                                failure.getMessage()))
                    .onComplete(
                        replayed -> {
                          inboxPoll = vertx.setPeriodic(INBOX_POLL.toMillis(), id -> inbox.wake());
                          runSync(0);
                        });
              } else {
                if (outcome.failed()) {
                  LOG.warn(
                      "Could not ask the database for the crawler lock: {}",
                      outcome.cause().getMessage());
                } else if (!progress.syncing()) {
                  progress.standby();
                }
                vertx.cancelTimer(syncTimer);
                syncTimer = vertx.setTimer(LEADER_RETRY.toMillis(), id -> becomeLeaderOrWait());
              }
            });
  }

  private void askForLockNow() {
    if (leader == null && !stopping) {
      LOG.info("A cluster member left; asking for the crawler lock now");
      becomeLeaderOrWait();
    }
  }

  private void lostLeadership() {
    leader = null;
    metrics.leader(false);
    if (broadcaster != null) {
      broadcaster.lockLost();
    }
    if (stopping) {
      return;
    }
    LOG.warn(
        "Lost the database connection that holds the crawler lock; crawling pauses until it is regained");
    vertx.cancelTimer(syncTimer);
    vertx.cancelTimer(inboxPoll);
    syncTimer = vertx.setTimer(LEADER_RETRY.toMillis(), id -> becomeLeaderOrWait());
  }

  private void status(Message<Object> request) {
    inboxStore
        .status()
        .onComplete(
            inboxStatus -> {
              if (inboxStatus.succeeded()) {
                metrics.inboxDepth(inboxStatus.result().getLong("pending"));
              }
              JsonObject status = progress.toJson();
              status.put(
                  "inbox",
                  inboxStatus.succeeded()
                      ? inboxStatus.result()
                      : new JsonObject().put("error", inboxStatus.cause().getMessage()));
              CrawlerLock.holder(pool)
                  .onComplete(
                      holder -> {
                        status.put(
                            "cluster", node.status(holder.succeeded() ? holder.result() : null));
                        request.reply(status);
                      });
            });
  }

  private void syncRequested(Message<Object> request) {
    if (leader == null) {
      request.fail(503, "this node does not crawl: " + progress.toJson().getString("state"));
      return;
    }
    waitingForNextSync.add(request);
    if (!progress.syncing()) {
      vertx.cancelTimer(syncTimer);
      runSync(0);
    }
  }

  private void runSync(int failuresInARow) {
    if (stopping || leader == null) {
      return;
    }
    List<Message<Object>> waiting = List.copyOf(waitingForNextSync);
    waitingForNextSync.clear();
    LOG.info("Full sync of {} started", registry.describe());
    progressTimer =
        vertx.setPeriodic(PROGRESS_LOG_PERIOD.toMillis(), id -> LOG.info(progress.progressLine()));
    long startedAt = System.nanoTime();
    fullSync
        .run()
        .compose(v -> collectGarbage())
        .onComplete(
            outcome -> {
              vertx.cancelTimer(progressTimer);
              metrics.syncEnded(
                  Duration.ofNanos(System.nanoTime() - startedAt), outcome.succeeded());
              if (stopping) {
                return;
              }
              int nextFailures;
              Duration wait;
              if (outcome.succeeded()) {
                nextFailures = 0;
                wait = config.crawl().interval();
                progress.syncFinished(Instant.now().plus(wait));
                LOG.info("Full sync finished: {}; next in {}", progress.summaryLine(), human(wait));
              } else {
                nextFailures = failuresInARow + 1;
                wait = backoff(failuresInARow);
                progress.syncFailed(outcome.cause().getMessage(), Instant.now().plus(wait));
                LOG.warn(
                    "Full sync failed: {}. Serving the index as stored; retrying in {}. Check registry.url and that "
                        + "the registry is running.",
                    outcome.cause().getMessage(),
                    human(wait));
              }
              waiting.forEach(request -> request.reply(progress.toJson()));
              if (!waitingForNextSync.isEmpty()) {
                wait = Duration.ZERO;
              }
              syncTimer = vertx.setTimer(Math.max(1, wait.toMillis()), id -> runSync(nextFailures));
            });
  }

  /**
   * Removes manifests no tag references; a failure is logged, the next reconciliation tries again.
   */
  private Future<Void> collectGarbage() {
    return writer
        .collectGarbage()
        .onSuccess(
            removed -> {
              if (removed > 0) {
                LOG.info("Removed {} manifests no tag references any more", removed);
              }
            })
        .<Void>mapEmpty()
        .recover(
            failure -> {
              LOG.warn("Garbage collection of manifests failed: {}", failure.getMessage());
              return Future.succeededFuture();
            });
  }

  private static String human(Duration duration) {
    return duration.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  private Duration backoff(int failuresInARow) {
    Duration wait = FIRST_RETRY.multipliedBy(1L << Math.min(failuresInARow, 20));
    Duration max = config.crawl().startBackoffMax();
    return wait.compareTo(max) > 0 ? max : wait;
  }

  /**
   * Every committed change: caches hear of it by NOTIFY sent with the commit, or from the bus now.
   */
  private void committed(IndexChanged change) {
    if (broadcaster != null) {
      broadcaster.committed(change);
    }
    metrics.eventsApplied(change.eventsApplied());
    LOG.debug(
        "Committed {} applied events, changed {}", change.eventsApplied(), change.repositories());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (broadcaster != null) {
      broadcaster.lockLost();
    }
    if (leader != null) {
      leader.close();
    }
    vertx.cancelTimer(syncTimer);
    vertx.cancelTimer(progressTimer);
    vertx.cancelTimer(inboxPoll);
    vertx.cancelTimer(depthTimer);
    Future<Void> unlisten = inboxWakeUps == null ? Future.succeededFuture() : inboxWakeUps.close();
    return unlisten.eventually(() -> registry.close()).compose(v -> pool.close());
  }
}
