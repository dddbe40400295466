package org.flagstate.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.flagstate.testsupport.MediaTypes;

/**
 * For {@code scripts/bench}: the registry requests a first crawl needs, made by the plainest
 * concurrent client ({@link HttpClient}, blocking calls, CONCURRENCY worker threads, so exactly
 * CONCURRENCY requests in flight): the catalog pages, then per repository {@code tags/list}, a
 * {@code HEAD} per tag with the full Accept list, a {@code GET} of each distinct manifest by digest
 * (body checked against the digest) and a {@code GET} of its config blob (parsed). No database, no
 * retries: it is the yardstick for how fast the registry can be read.
 *
 * <pre>PlainCrawlClient REGISTRY_URL CONCURRENCY</pre>
 *
 * Prints one line: {@code PLAIN requests=N repositories=R tags=T manifests=M seconds=S}.
 */
public final class PlainCrawlClient {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private final URI base;
  private final HttpClient http;
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong tags = new AtomicLong();
  private final AtomicLong manifests = new AtomicLong();

  private PlainCrawlClient(URI base, ExecutorService executor) {
    this.base = base;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .build();
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: PlainCrawlClient REGISTRY_URL CONCURRENCY");
      System.exit(2);
    }
    URI base = URI.create(args[0].replaceAll("/+$", "") + "/");
    int concurrency = Integer.parseInt(args[1]);
    ExecutorService httpExecutor = Executors.newCachedThreadPool(daemon());
    PlainCrawlClient client = new PlainCrawlClient(base, httpExecutor);

    long began = System.nanoTime();
    List<String> repositories = client.catalog();
    ConcurrentLinkedQueue<String> pending = new ConcurrentLinkedQueue<>(repositories);
    ExecutorService workers = Executors.newFixedThreadPool(concurrency, daemon());
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      done.add(
          workers.submit(
              () -> {
                for (String repository = pending.poll();
                    repository != null;
                    repository = pending.poll()) {
                  client.crawlRepository(repository);
                }
                return null;
              }));
    }
    for (Future<?> future : done) {
      future.get();
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    workers.shutdownNow();
    httpExecutor.shutdownNow();
    System.out.printf(
        Locale.ROOT,
        "PLAIN requests=%d repositories=%d tags=%d manifests=%d seconds=%.3f%n",
        client.requests.get(),
        repositories.size(),
        client.tags.get(),
        client.manifests.get(),
        seconds);
  }

  private List<String> catalog() throws Exception {
    List<String> names = new ArrayList<>();
    URI page = base.resolve("v2/_catalog");
    while (page != null) {
      HttpResponse<byte[]> response = send("GET", page, null);
      JSON.readTree(response.body()).path("repositories").forEach(name -> names.add(name.asText()));
      page = response.headers().firstValue("Link").map(this::nextLink).orElse(null);
    }
    return names;
  }

  private void crawlRepository(String repository) throws Exception {
    HttpResponse<byte[]> tagList =
        send("GET", base.resolve("v2/" + repository + "/tags/list"), null);
    List<String> digests = new ArrayList<>();
    for (JsonNode tag : JSON.readTree(tagList.body()).path("tags")) {
      tags.incrementAndGet();
      HttpResponse<byte[]> head =
          send(
              "HEAD",
              base.resolve("v2/" + repository + "/manifests/" + tag.asText()),
              MediaTypes.MANIFEST_ACCEPT);
      String digest =
          head.headers()
              .firstValue("Docker-Content-Digest")
              .orElseThrow(() -> new IllegalStateException("HEAD without Docker-Content-Digest"));
      if (!digests.contains(digest)) {
        digests.add(digest);
      }
    }
    for (int i = 0; i < digests.size(); i++) {
      String digest = digests.get(i);
      HttpResponse<byte[]> manifest =
          send(
              "GET",
              base.resolve("v2/" + repository + "/manifests/" + digest),
              MediaTypes.MANIFEST_ACCEPT);
      String actual =
          "sha256:"
              + HexFormat.of()
                  .formatHex(MessageDigest.getInstance("SHA-256").digest(manifest.body()));
      if (!actual.equals(digest)) {
        throw new IllegalStateException(repository + "@" + digest + " has digest " + actual);
      }
      manifests.incrementAndGet();
      JsonNode parsed = JSON.readTree(manifest.body());
      if (parsed.has("manifests")) {
        // a list or index: its members are fetched like tagged manifests, as the crawler does
        for (JsonNode member : parsed.path("manifests")) {
          String memberDigest = member.path("digest").asText();
          if (!digests.contains(memberDigest)) {
            digests.add(memberDigest);
          }
        }
        continue;
      }
      String config = parsed.path("config").path("digest").asText();
      HttpResponse<byte[]> blob =
          send("GET", base.resolve("v2/" + repository + "/blobs/" + config), null);
      JSON.readTree(blob.body()).path("config").path("Labels");
    }
  }

  private HttpResponse<byte[]> send(String method, URI uri, String accept)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(30))
            .method(method, HttpRequest.BodyPublishers.noBody());
    if (accept != null) {
      request.header("Accept", accept);
    }
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    requests.incrementAndGet();
    if (response.statusCode() != 200) {
      throw new IllegalStateException(method + " " + uri + " answered " + response.statusCode());
    }
    return response;
  }

  private URI nextLink(String header) {
    Matcher m = NEXT_LINK.matcher(header);
    return m.find() ? base.resolve(m.group(1)) : null;
  }

  private static java.util.concurrent.ThreadFactory daemon() {
    return runnable -> {
      Thread thread = new Thread(runnable);
      thread.setDaemon(true);
      return thread;
    };
  }
}
