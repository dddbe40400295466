package org.flagstate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The shared cache of rendered index responses: single flight, invalidation, stable validators. */
class ResponseCacheTest {

  private static final byte[] BODY = "{\"Results\":[]}".getBytes(StandardCharsets.UTF_8);

  /** A render Supplier whose futures the test completes by hand, counting how often it was called. */
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

  @Test
  void concurrentGetsForOneKeyRenderOnce() {
    ResponseCache cache = new ResponseCache(10);
    ManualRender render = new ManualRender();

    Future<RenderedResponse> first = cache.get("k", render);
    Future<RenderedResponse> second = cache.get("k", render);
    Future<RenderedResponse> third = cache.get("k", render);

    assertThat(render.count()).isEqualTo(1);
    assertThat(first.isComplete()).isFalse();
  }

  @Test
  void everyWaiterGetsTheOneRenderedResponse() {
    ResponseCache cache = new ResponseCache(10);
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
    ResponseCache cache = new ResponseCache(10);
    ManualRender render = new ManualRender();

    cache.get("a", render);
    cache.get("b", render);

    assertThat(render.count()).isEqualTo(2);
  }

  @Test
  void completedRenderIsServedFromTheCache() {
    ResponseCache cache = new ResponseCache(10);
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
  void invalidateAllMakesTheNextGetRenderAgain() {
    ResponseCache cache = new ResponseCache(10);
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
    ResponseCache cache = new ResponseCache(10);
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
    ResponseCache cache = new ResponseCache(10);
    AtomicInteger renders = new AtomicInteger();
    RenderedResponse first = cache.get("k", immediately(BODY, renders)).result();
    cache.invalidateAll();

    RenderedResponse second = cache.get("k", immediately("{}".getBytes(StandardCharsets.UTF_8), renders)).result();

    assertThat(second.etag()).isNotEqualTo(first.etag());
    assertThat(cache.cached("k")).isSameAs(second);
  }

  @Test
  void renderStartedBeforeInvalidateAllIsNotCached() {
    ResponseCache cache = new ResponseCache(10);
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
    ResponseCache cache = new ResponseCache(10);
    ManualRender render = new ManualRender();
    Future<RenderedResponse> stale = cache.get("k", render);
    cache.invalidateAll();

    Future<RenderedResponse> fresh = cache.get("k", render);

    assertThat(render.count()).isEqualTo(2);
    assertThat(fresh).isNotSameAs(stale);
  }

  @Test
  void staleRenderFinishingLateDoesNotReplaceTheFreshOne() {
    ResponseCache cache = new ResponseCache(10);
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
    ResponseCache cache = new ResponseCache(10);
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
    ResponseCache cache = new ResponseCache(10);

    Future<RenderedResponse> result = cache.get("k", () -> {
      throw new IllegalStateException("boom");
    });

    assertThat(result.failed()).isTrue();
    assertThat(result.cause()).hasMessage("boom");
  }

  @Test
  void maxEntriesBoundsTheNumberOfCachedResponses() {
    ResponseCache cache = new ResponseCache(3);
    AtomicInteger renders = new AtomicInteger();

    for (int i = 0; i < 20; i++) {
      cache.get("k" + i, immediately(("{\"n\":" + i + "}").getBytes(StandardCharsets.UTF_8), renders));
      assertThat(cache.size()).isLessThanOrEqualTo(3);
    }
    assertThat(cache.cached("k19")).as("the newest response is kept").isNotNull();
  }
}
