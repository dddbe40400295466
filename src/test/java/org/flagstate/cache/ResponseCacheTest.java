package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The shared cache of rendered index responses: single flight, byte bound and admission,
 * invalidation, stable validators. Caffeine's maintenance runs on the calling thread, so evictions
 * are deterministic.
 */
class ResponseCacheTest {

  private static final byte[] BODY = "{\"Results\":[]}".getBytes(StandardCharsets.UTF_8);
  private static final long MIB = 1 << 20;

  private static ResponseCache newCache() {
    return new ResponseCache(MIB, MIB, Runnable::run);
  }

  /**
   * A render Supplier whose futures the test completes by hand, counting how often it was called.
   */
  private static final class ManualRender implements Supplier<Future<byte[]>> {
    final List<Promise<byte[]>> calls = new ArrayList<>();

    @Override
    public Future<byte[]> get() {
      Promise<byte[]> promise = Promise.promise();
      calls.add(promise);
      return promise.future();
    }

    int count() {
      return calls.size();
    }

    void complete(int call, byte[] body) {
      calls.get(call).complete(body);
    }
  }

  private static Supplier<Future<byte[]>> immediately(byte[] body, AtomicInteger counter) {
    return () -> {
      counter.incrementAndGet();
      return Future.succeededFuture(body);
    };
  }

  private static Supplier<Future<RenderedBody>> bodies(Supplier<Future<byte[]>> render) {
    return () -> render.get().map(RenderedBody::of);
  }

  /** A JSON body of about {@code length} bytes that gzip cannot shrink much. */
  private static byte[] json(int n, int length, Random random) {
    StringBuilder pad = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      pad.append((char) ('a' + random.nextInt(26)));
    }
    return ("{\"n\":" + n + ",\"pad\":\"" + pad + "\"}").getBytes(StandardCharsets.UTF_8);
  }

  /** What CachedJsonResponder does: the ready response, else a render. */
  private static RenderedResponse request(
      ResponseCache cache, String key, Supplier<Future<byte[]>> render) {
    RenderedResponse hit = cache.cached(key);
    return hit != null ? hit : cache.get(key, render).result();
  }

  @Test
  void concurrentGetsForOneKeyRenderOnce() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();

    Future<RenderedResponse> first = cache.get("k", render);
    Future<RenderedResponse> second = cache.get("k", render);
    Future<RenderedResponse> third = cache.get("k", render);

    assertThat(render.count()).isEqualTo(1);
    assertThat(first.isComplete()).isFalse();
  }

  @Test
  void everyWaiterGetsTheOneRenderedResponse() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    Future<RenderedResponse> first = cache.get("k", render);
    Future<RenderedResponse> second = cache.get("k", render);

    render.complete(0, BODY);

    assertThat(first.succeeded()).isTrue();
    assertThat(second.succeeded()).isTrue();
    assertThat(second.result()).isSameAs(first.result());
    assertThat(first.result().identity().getBytes()).isEqualTo(BODY);
  }

  @Test
  void differentKeysRenderSeparately() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();

    cache.get("a", render);
    cache.get("b", render);

    assertThat(render.count()).isEqualTo(2);
  }

  @Test
  void completedRenderIsServedFromTheCache() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    cache.get("k", render);
    assertThat(cache.cached("k")).isNull();
    render.complete(0, BODY);

    Future<RenderedResponse> again = cache.get("k", render);

    assertThat(render.count()).isEqualTo(1);
    assertThat(cache.cached("k")).isNotNull();
    assertThat(again.result()).isSameAs(cache.cached("k"));
  }

  @Test
  void theAdmittedWorkIsTheRenderAndTheResponseMadeOfIt() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    List<Supplier<Future<RenderedResponse>>> admitted = new ArrayList<>();
    Promise<RenderedResponse> slot = Promise.promise();

    Future<RenderedResponse> answer =
        cache.get(
            "k",
            Set.of(),
            bodies(render),
            work -> {
              admitted.add(work);
              return slot.future();
            });

    assertThat(render.count()).isZero();
    Future<RenderedResponse> work = admitted.get(0).get();
    assertThat(render.count()).isEqualTo(1);
    render.complete(0, BODY);
    // the admitted work ends only once the body is a response (hashed, compressed, copied)
    assertThat(work.result().identity().getBytes()).isEqualTo(BODY);
    assertThat(answer.isComplete()).isFalse();
    slot.complete(work.result());
    assertThat(answer.result()).isSameAs(work.result());
    assertThat(cache.cached("k")).isSameAs(work.result());
  }

  @Test
  void aRefusedMissRendersNothingAndKeepsNothing() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();

    Future<RenderedResponse> answer =
        cache.get(
            "k",
            Set.of(),
            bodies(render),
            work -> Future.failedFuture(new IllegalStateException("refused")));

    assertThat(answer.failed()).isTrue();
    assertThat(answer.cause()).hasMessage("refused");
    assertThat(render.count()).isZero();
    assertThat(cache.cached("k")).isNull();
  }

  @Test
  void invalidateAllMakesTheNextGetRenderAgain() {
    ResponseCache cache = newCache();
    AtomicInteger renders = new AtomicInteger();
    cache.get("k", immediately(BODY, renders));

    cache.invalidateAll();

    assertThat(cache.cached("k")).isNull();
    assertThat(cache.size()).isZero();
    cache.get("k", immediately(BODY, renders));
    assertThat(renders).hasValue(2);
  }

  @Test
  void reRenderingIdenticalBytesKeepsEtagAndLastModified() throws InterruptedException {
    ResponseCache cache = newCache();
    AtomicInteger renders = new AtomicInteger();
    RenderedResponse first = cache.get("k", immediately(BODY, renders)).result();
    // Last-Modified has second precision: make sure a fresh one would differ
    while (System.currentTimeMillis() / 1000 * 1000 <= first.lastModifiedMillis()) {
      Thread.sleep(20);
    }
    cache.invalidateAll();

    RenderedResponse second = cache.get("k", immediately(BODY.clone(), renders)).result();

    assertThat(renders).hasValue(2);
    assertThat(second.etag()).isEqualTo(first.etag());
    assertThat(second.lastModifiedMillis()).isEqualTo(first.lastModifiedMillis());
    assertThat(second.lastModified()).isEqualTo(first.lastModified());
  }

  @Test
  void reRenderingDifferentBytesChangesTheEtag() {
    ResponseCache cache = newCache();
    AtomicInteger renders = new AtomicInteger();
    RenderedResponse first = cache.get("k", immediately(BODY, renders)).result();
    cache.invalidateAll();

    RenderedResponse second =
        cache.get("k", immediately("{}".getBytes(StandardCharsets.UTF_8), renders)).result();

    assertThat(second.etag()).isNotEqualTo(first.etag());
    assertThat(cache.cached("k")).isSameAs(second);
  }

  @Test
  void renderStartedBeforeInvalidateAllIsNotCached() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    Future<RenderedResponse> stale = cache.get("k", render);

    cache.invalidateAll();
    render.complete(0, BODY);

    assertThat(stale.succeeded()).as("the request that was waiting still gets an answer").isTrue();
    assertThat(cache.cached("k")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void getAfterInvalidateAllDoesNotJoinARenderStartedBefore() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    Future<RenderedResponse> stale = cache.get("k", render);
    cache.invalidateAll();

    Future<RenderedResponse> fresh = cache.get("k", render);

    assertThat(render.count()).isEqualTo(2);
    assertThat(fresh).isNotSameAs(stale);
  }

  @Test
  void staleRenderFinishingLateDoesNotReplaceTheFreshOne() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    cache.get("k", render);
    cache.invalidateAll();
    Future<RenderedResponse> fresh = cache.get("k", render);
    render.complete(1, "{\"new\":1}".getBytes(StandardCharsets.UTF_8));

    render.complete(0, "{\"old\":1}".getBytes(StandardCharsets.UTF_8));

    assertThat(cache.cached("k")).isSameAs(fresh.result());
  }

  @Test
  void failedRenderIsPassedOnAndNotCached() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    Future<RenderedResponse> failing = cache.get("k", render);

    render.calls.get(0).fail(new IllegalStateException("database down"));

    assertThat(failing.failed()).isTrue();
    assertThat(failing.cause()).hasMessage("database down");
    assertThat(cache.cached("k")).isNull();
    cache.get("k", render);
    assertThat(render.count()).isEqualTo(2);
  }

  @Test
  void renderSupplierThatThrowsGivesAFailedFuture() {
    ResponseCache cache = newCache();

    Future<RenderedResponse> result =
        cache.get(
            "k",
            () -> {
              throw new IllegalStateException("boom");
            });

    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).hasMessage("boom");
  }

  @Test
  void maxBytesBoundsWhatTheCachedResponsesWeigh() {
    long maxBytes = 400_000;
    ResponseCache cache = new ResponseCache(maxBytes, MIB, Runnable::run);
    AtomicInteger renders = new AtomicInteger();
    Random random = new Random(7);

    for (int i = 0; i < 400; i++) {
      cache.get("k" + i, immediately(json(i, random.nextInt(1000), random), renders));
      cache.cleanUp();
      assertThat(cache.weightedBytes()).isLessThanOrEqualTo(maxBytes);
    }
    assertThat(cache.size()).as("evicted some").isLessThan(400);
    // among one-offs a newcomer does not displace an equally frequent incumbent: asked for twice,
    // it does
    cache.get("k399", immediately(json(399, 500, random), renders));
    assertThat(cache.cached("k399")).as("the newest response is kept").isNotNull();
    assertThat(cache.weightedBytes()).isLessThanOrEqualTo(maxBytes);
    long kept = 0;
    for (int i = 0; i < 400; i++) {
      RenderedResponse response = cache.cached("k" + i);
      if (response != null) {
        kept +=
            response.identity().length() + response.gzip().length() + ResponseCache.ENTRY_OVERHEAD;
      }
    }
    assertThat(cache.weightedBytes())
        .as("counts at least the bytes kept")
        .isGreaterThanOrEqualTo(kept);
  }

  @Test
  void weightCountsBothEncodingsAndTheOverhead() {
    ResponseCache cache = newCache();
    RenderedResponse response = cache.get("k", immediately(BODY, new AtomicInteger())).result();

    assertThat(cache.weightedBytes())
        .isGreaterThanOrEqualTo(
            response.identity().length()
                + response.gzip().length()
                + ResponseCache.ENTRY_OVERHEAD
                + 1L);
    cache.invalidateAll();
    assertThat(cache.weightedBytes()).isZero();
  }

  @Test
  void bodyAboveMaxBodyBytesIsSentButNotKept() {
    ResponseCache cache = new ResponseCache(MIB, 100, Runnable::run);
    AtomicInteger renders = new AtomicInteger();
    byte[] large = json(0, 200, new Random(1));

    Future<RenderedResponse> sent = cache.get("large", immediately(large, renders));

    assertThat(sent.succeeded()).isTrue();
    assertThat(sent.result().identity().getBytes()).isEqualTo(large);
    assertThat(cache.cached("large")).isNull();
    assertThat(cache.size()).isZero();
    assertThat(cache.weightedBytes()).isZero();
    cache.get("large", immediately(large, renders));
    assertThat(renders).hasValue(2);
  }

  @Test
  void bodyOfExactlyMaxBodyBytesIsKept() {
    byte[] body = json(0, 200, new Random(1));
    ResponseCache cache = new ResponseCache(MIB, body.length, Runnable::run);

    cache.get("k", immediately(body, new AtomicInteger()));

    assertThat(cache.cached("k")).isNotNull();
  }

  @Test
  void concurrentMissesForAnOversizedBodyStillRenderOnce() {
    ResponseCache cache = new ResponseCache(MIB, 100, Runnable::run);
    ManualRender render = new ManualRender();
    Future<RenderedResponse> first = cache.get("large", render);
    Future<RenderedResponse> second = cache.get("large", render);
    assertThat(render.count()).isEqualTo(1);

    render.complete(0, json(0, 200, new Random(1)));

    assertThat(second.result()).isSameAs(first.result());
    assertThat(cache.cached("large")).isNull();
    cache.get("large", render);
    assertThat(render.count()).as("not kept, so the next request renders again").isEqualTo(2);
  }

  @Test
  void oversizedBodyKeepsItsValidatorsAcrossRenders() throws InterruptedException {
    ResponseCache cache = new ResponseCache(MIB, 100, Runnable::run);
    AtomicInteger renders = new AtomicInteger();
    byte[] large = json(0, 200, new Random(1));
    RenderedResponse first = cache.get("large", immediately(large, renders)).result();
    while (System.currentTimeMillis() / 1000 * 1000 <= first.lastModifiedMillis()) {
      Thread.sleep(20);
    }

    RenderedResponse second = cache.get("large", immediately(large.clone(), renders)).result();

    assertThat(second.etag()).isEqualTo(first.etag());
    assertThat(second.lastModified()).isEqualTo(first.lastModified());
  }

  @Test
  void aPopularResponseSurvivesAFloodOfOneOffQueries() {
    Random random = new Random(11);
    int capacity = 100;
    RenderedResponse sample = RenderedResponse.of(json(0, 1000, random), 0);
    long weight =
        sample.identity().length() + sample.gzip().length() + ResponseCache.ENTRY_OVERHEAD + 100L;
    long maxBytes = capacity * weight;
    ResponseCache cache = new ResponseCache(maxBytes, MIB, Runnable::run);
    AtomicInteger popularRenders = new AtomicInteger();
    byte[] popularBody = json(-1, 1000, random);
    Supplier<Future<byte[]>> popular = immediately(popularBody, popularRenders);
    for (int i = 0; i < capacity; i++) {
      request(cache, "filler" + i, immediately(json(i, 1000, random), new AtomicInteger()));
    }
    for (int i = 0; i < 10; i++) {
      request(cache, "popular", popular);
    }
    cache.cleanUp();
    assertThat(cache.cached("popular"))
        .as("admitted once asked for more often than the others")
        .isNotNull();
    int rendersBeforeTheFlood = popularRenders.get();

    // more one-offs between two requests for the popular response than the cache holds: LRU would
    // drop it
    for (int i = 0; i < 2_000; i++) {
      request(cache, "one-off" + i, immediately(json(i, 1000, random), new AtomicInteger()));
      if (i % (capacity * 3 / 2) == 0) {
        request(cache, "popular", popular);
      }
      cache.cleanUp();
      assertThat(cache.weightedBytes()).isLessThanOrEqualTo(maxBytes);
    }

    assertThat(cache.cached("popular")).isNotNull();
    assertThat(popularRenders)
        .as("never rendered again during the flood")
        .hasValue(rendersBeforeTheFlood);
  }

  @Test
  void invalidateDropsExactlyTheResponsesThatMayIncludeAChangedRepository() {
    ResponseCache cache = newCache();
    AtomicInteger renders = new AtomicInteger();
    cache.get("any", Set.of(), bodies(immediately(BODY, renders)));
    cache.get("a", Set.of("a"), bodies(immediately(BODY, renders)));
    cache.get("b", Set.of("b"), bodies(immediately(BODY, renders)));
    cache.get("ab", Set.of("a", "b"), bodies(immediately(BODY, renders)));
    cache.get("cd", Set.of("c", "d"), bodies(immediately(BODY, renders)));

    cache.invalidate(List.of("a", "d"));

    assertThat(cache.cached("any")).as("may include any repository").isNull();
    assertThat(cache.cached("a")).isNull();
    assertThat(cache.cached("ab")).isNull();
    assertThat(cache.cached("cd")).isNull();
    assertThat(cache.cached("b")).as("limited to another repository").isNotNull();
    assertThat(cache.size()).isEqualTo(1);
  }

  @Test
  void renderRunningWhenAnyRepositoryChangesIsNotCached() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    Future<RenderedResponse> running = cache.get("b", Set.of("b"), bodies(render));

    cache.invalidate(List.of("a"));
    Future<RenderedResponse> after = cache.get("b", Set.of("b"), bodies(render));
    render.complete(0, BODY);

    assertThat(running.succeeded())
        .as("the request that was waiting still gets an answer")
        .isTrue();
    assertThat(render.count())
        .as("a request after the change does not join the render from before")
        .isEqualTo(2);
    assertThat(after.isComplete()).isFalse();
    assertThat(cache.cached("b")).isNull();
    render.complete(1, BODY);
    assertThat(cache.cached("b")).isSameAs(after.result());
  }

  @Test
  void renderRunningWhenItsRepositoryChangesIsNotCached() {
    ResponseCache cache = newCache();
    ManualRender render = new ManualRender();
    Future<RenderedResponse> stale = cache.get("a", Set.of("a"), bodies(render));

    cache.invalidate(List.of("a"));
    render.complete(0, BODY);

    assertThat(stale.succeeded()).isTrue();
    assertThat(cache.cached("a")).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void aResponseCachedAfterConcurrentChangesIsNeverOlderThanTheLastChange() throws Exception {
    ResponseCache cache = new ResponseCache(MIB, MIB, Runnable::run);
    AtomicInteger version = new AtomicInteger();
    ExecutorService database = Executors.newSingleThreadExecutor();
    ExecutorService clients = Executors.newFixedThreadPool(3);
    Supplier<Future<RenderedBody>> render =
        () -> {
          Promise<RenderedBody> read = Promise.promise();
          database.execute(
              () ->
                  read.complete(
                      RenderedBody.of(
                          Integer.toString(version.get()).getBytes(StandardCharsets.UTF_8))));
          return read.future();
        };
    try {
      for (int round = 0; round < 200; round++) {
        List<java.util.concurrent.Future<?>> requests = new ArrayList<>();
        for (int client = 0; client < 2; client++) {
          requests.add(
              clients.submit(
                  () -> {
                    for (int i = 0; i < 20; i++) {
                      cache.get("k", Set.of("repo"), render);
                    }
                  }));
        }
        requests.add(
            clients.submit(
                () -> {
                  version.incrementAndGet();
                  cache.invalidate(List.of("repo"));
                }));
        for (java.util.concurrent.Future<?> request : requests) {
          request.get(10, TimeUnit.SECONDS);
        }
        database.submit(() -> {}).get(10, TimeUnit.SECONDS);

        RenderedResponse kept = cache.cached("k");
        if (kept != null) {
          assertThat(new String(kept.identity().getBytes(), StandardCharsets.UTF_8))
              .as("round %d", round)
              .isEqualTo(Integer.toString(version.get()));
        }
      }
    } finally {
      clients.shutdownNow();
      database.shutdownNow();
    }
  }

  @Test
  void anInvalidatedResponseStaysAvailableAsTheLastGoodOneUntilAFreshOneIsKept() {
    ResponseCache cache = newCache();
    RenderedResponse first =
        cache.get("a", Set.of("a"), () -> Future.succeededFuture(RenderedBody.of(BODY))).result();
    assertThat(cache.lastGood("a")).as("nothing is stale while the fresh one is kept").isNull();

    long beforeInvalidation = System.currentTimeMillis();
    cache.invalidate(List.of("a"));
    assertThat(cache.cached("a")).isNull();
    assertThat(cache.lastGood("a").response()).isSameAs(first);
    assertThat(cache.lastGood("a").staleSinceMillis())
        .as("stale since the change, not since its data last changed")
        .isBetween(beforeInvalidation, System.currentTimeMillis());

    Future<RenderedResponse> failed =
        cache.get("a", Set.of("a"), () -> Future.failedFuture("database down"));
    assertThat(failed.failed()).isTrue();
    assertThat(cache.lastGood("a").response())
        .as("a failed render keeps the last good answer")
        .isSameAs(first);

    byte[] changed = "{\"Results\":[1]}".getBytes(StandardCharsets.UTF_8);
    cache.get("a", Set.of("a"), () -> Future.succeededFuture(RenderedBody.of(changed)));
    assertThat(cache.lastGood("a")).as("replaced by the fresh one").isNull();
    cache.invalidateAll();
    assertThat(cache.lastGood("a").response().identity().getBytes()).isEqualTo(changed);
  }
}
