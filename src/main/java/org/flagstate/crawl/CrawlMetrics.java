package org.flagstate.crawl;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The crawler's {@code flagstate_*} meters: how far the running sync is, how long syncs take, how
 * many registry events were applied, how deep the inbox is and whether this node crawls. Prometheus
 * names are the Micrometer names with dots as underscores (and {@code _total}, {@code _seconds}
 * suffixes).
 */
final class CrawlMetrics {

  private final MeterRegistry registry;
  private final Counter eventsApplied;
  private final AtomicLong inboxDepth = new AtomicLong();
  private final AtomicLong leader = new AtomicLong();

  CrawlMetrics(MeterRegistry registry, CrawlProgress progress) {
    this.registry = registry;
    this.eventsApplied =
        Counter.builder("flagstate.events.applied")
            .description("Registry events applied to the index")
            .register(registry);
    Gauge.builder("flagstate.inbox.depth", inboxDepth, AtomicLong::get)
        .description("Registry events stored and not applied yet")
        .register(registry);
    Gauge.builder("flagstate.crawler.leader", leader, AtomicLong::get)
        .description("1 when this node holds the crawler lock")
        .register(registry);
    Gauge.builder("flagstate.crawl.repositories.listed", progress, CrawlProgress::repositoriesTotal)
        .description("Repositories in the registry catalog of the running or last sync")
        .register(registry);
    Gauge.builder("flagstate.crawl.repositories.done", progress, CrawlProgress::repositoriesDone)
        .description("Repositories synced so far in the running or last sync")
        .register(registry);
    Gauge.builder("flagstate.crawl.syncs.completed", progress, CrawlProgress::syncsCompleted)
        .description("Full syncs completed by this node")
        .register(registry);
  }

  void eventsApplied(int events) {
    eventsApplied.increment(events);
  }

  void inboxDepth(long pending) {
    inboxDepth.set(pending);
  }

  void leader(boolean isLeader) {
    leader.set(isLeader ? 1 : 0);
  }

  void syncEnded(Duration took, boolean succeeded) {
    Timer.builder("flagstate.crawl.duration")
        .description("Duration of full syncs")
        .tag("outcome", succeeded ? "ok" : "failed")
        .register(registry)
        .record(took);
  }
}
