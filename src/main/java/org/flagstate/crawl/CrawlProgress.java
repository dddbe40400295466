package org.flagstate.crawl;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * What the crawler is doing and how far it got, for the log and {@code GET /status}. Mutated only
 * on the crawler's event loop; read there too (status requests arrive over the event bus).
 */
final class CrawlProgress {

  private String state = "starting";
  private Instant syncStartedAt;
  private int repositoriesTotal;
  private int repositoriesDone;
  private int repositoriesFailed;
  private int manifestsFetched;
  private int manifestsSkipped;
  private int syncsCompleted;
  private Instant lastSyncFinishedAt;
  private String lastSyncOutcome;
  private String lastError;
  private Instant nextAttemptAt;

  /** Another node holds the crawler lock; this one only serves. */
  void standby() {
    state = "standby: another Flagstate node on this database crawls";
  }

  void syncStarted() {
    state = "syncing";
    syncStartedAt = Instant.now();
    repositoriesTotal =
        repositoriesDone = repositoriesFailed = manifestsFetched = manifestsSkipped = 0;
    nextAttemptAt = null;
  }

  void catalogRead(int repositories) {
    repositoriesTotal = repositories;
  }

  void repositoryDone(int fetched, int skipped) {
    repositoriesDone++;
    manifestsFetched += fetched;
    manifestsSkipped += skipped;
  }

  void repositoryFailed(String error) {
    repositoriesDone++;
    repositoriesFailed++;
    lastError = error;
  }

  void syncFinished(Instant next) {
    state = "idle";
    syncsCompleted++;
    lastSyncFinishedAt = Instant.now();
    lastSyncOutcome =
        repositoriesFailed == 0
            ? "ok"
            : repositoriesFailed + " repositories failed; kept as stored";
    nextAttemptAt = next;
  }

  void syncFailed(String error, Instant next) {
    state = "waiting for registry";
    lastError = error;
    lastSyncFinishedAt = Instant.now();
    lastSyncOutcome = "failed: " + error;
    nextAttemptAt = next;
  }

  boolean syncing() {
    return "syncing".equals(state);
  }

  int repositoriesTotal() {
    return repositoriesTotal;
  }

  int repositoriesDone() {
    return repositoriesDone;
  }

  int syncsCompleted() {
    return syncsCompleted;
  }

  /** Repositories per second since the sync began. */
  double rate() {
    double seconds =
        Math.max(0.001, Duration.between(syncStartedAt, Instant.now()).toMillis() / 1000.0);
    return repositoriesDone / seconds;
  }

  /** Seconds left at the current rate, or -1 when unknown. */
  long etaSeconds() {
    double rate = rate();
    return rate <= 0 ? -1 : Math.round((repositoriesTotal - repositoriesDone) / rate);
  }

  String summaryLine() {
    double seconds = Duration.between(syncStartedAt, Instant.now()).toMillis() / 1000.0;
    return String.format(
        "%d repositories in %.1fs (%.1f/s), %d new manifests fetched, %d skipped, %d repositories failed",
        repositoriesDone, seconds, rate(), manifestsFetched, manifestsSkipped, repositoriesFailed);
  }

  String progressLine() {
    long eta = etaSeconds();
    return String.format(
        "Crawling: %d/%d repositories (%d%%), %.1f repositories/s, ETA %s",
        repositoriesDone,
        repositoriesTotal,
        repositoriesTotal == 0 ? 0 : 100 * repositoriesDone / repositoriesTotal,
        rate(),
        eta < 0 ? "unknown" : eta + "s");
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("state", state).put("syncsCompleted", syncsCompleted);
    if (syncStartedAt != null) {
      JsonObject sync =
          new JsonObject()
              .put("startedAt", syncStartedAt.toString())
              .put("repositoriesTotal", repositoriesTotal)
              .put("repositoriesDone", repositoriesDone)
              .put("repositoriesFailed", repositoriesFailed)
              .put("manifestsFetched", manifestsFetched)
              .put("manifestsSkipped", manifestsSkipped)
              .put("repositoriesPerSecond", Math.round(rate() * 10) / 10.0);
      if (syncing()) {
        sync.put("etaSeconds", etaSeconds());
      }
      json.put("sync", sync);
    }
    if (lastSyncFinishedAt != null) {
      json.put("lastSyncFinishedAt", lastSyncFinishedAt.toString())
          .put("lastSyncOutcome", lastSyncOutcome);
    }
    if (lastError != null) {
      json.put("lastError", lastError);
    }
    if (nextAttemptAt != null) {
      json.put("nextSyncAt", nextAttemptAt.toString());
    }
    return json;
  }
}
