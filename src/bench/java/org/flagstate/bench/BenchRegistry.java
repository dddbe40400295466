package org.flagstate.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.flagstate.testsupport.ImageSpec;
import org.flagstate.testsupport.IndexFormat;
import org.flagstate.testsupport.RegistryProcess;
import org.flagstate.testsupport.RegistryPusher;

/**
 * For {@code scripts/bench}: starts a real docker-registry ({@link RegistryProcess}, free loopback
 * port, storage under {@code java.io.tmpdir}), fills it concurrently through {@link
 * RegistryPusher}, writes what the script needs to an info file ({@code key=value} lines, written
 * atomically once the content is in), then keeps the registry running until this JVM gets SIGTERM,
 * when it stops the registry and deletes its storage.
 *
 * <pre>
 * BenchRegistry flatpak REPOS INFO_FILE          Flatpak-like apps and runtimes (labels as Flatpak writes them)
 * BenchRegistry crawl REPOS TAGS_PER_REPO INFO_FILE   distinct small images, TAGS_PER_REPO tags per repository
 * </pre>
 */
public final class BenchRegistry {

  private static final int PUSH_THREADS = 16;

  private BenchRegistry() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println(
          "usage: BenchRegistry flatpak REPOS INFO_FILE | crawl REPOS TAGS_PER_REPO INFO_FILE");
      System.exit(2);
    }
    String kind = args[0];
    int repositories = Integer.parseInt(args[1]);
    int tagsPerRepo = kind.equals("crawl") ? Integer.parseInt(args[2]) : 0;
    Path info = Path.of(args[kind.equals("crawl") ? 3 : 2]);

    RegistryProcess registry = RegistryProcess.builder().catalogMaxEntries(1000).start();
    Runtime.getRuntime().addShutdownHook(new Thread(registry::close, "bench-registry-close"));
    long registryPid =
        ProcessHandle.current().children().mapToLong(ProcessHandle::pid).max().orElse(-1);
    RegistryPusher pusher = RegistryPusher.forRegistry(registry);

    long began = System.nanoTime();
    int manifests;
    try {
      manifests =
          switch (kind) {
            case "flatpak" -> pushFlatpak(pusher, repositories);
            case "crawl" -> pushCrawl(pusher, repositories, tagsPerRepo);
            default -> throw new IllegalArgumentException("unknown kind " + kind);
          };
    } catch (Exception e) {
      System.err.println("push failed: " + e);
      e.printStackTrace();
      System.err.println("registry log tail:\n" + registry.logTail(20));
      System.exit(1);
      return;
    }
    double seconds = (System.nanoTime() - began) / 1e9;

    String content =
        "url="
            + registry.baseUrl()
            + "\n"
            + "registry_pid="
            + registryPid
            + "\n"
            + "log="
            + registry.logFile()
            + "\n"
            + "repositories="
            + repositories
            + "\n"
            + "manifests="
            + manifests
            + "\n"
            + String.format(Locale.ROOT, "push_seconds=%.2f%n", seconds);
    Path partial = info.resolveSibling(info.getFileName() + ".partial");
    Files.writeString(partial, content, StandardCharsets.UTF_8);
    Files.move(partial, info, StandardCopyOption.ATOMIC_MOVE);
    System.out.printf(
        Locale.ROOT,
        "registry %s: pushed %d manifests in %d repositories in %.1f s%n",
        registry.baseUrl(),
        manifests,
        repositories,
        seconds);
    System.out.flush();
    Thread.currentThread().join(); // until SIGTERM; the shutdown hook stops the registry
  }

  /**
   * Apps and runtimes with the labels Flatpak's build-bundle writes: ref, metadata, sizes, commit,
   * appdata XML and two icons as data: URIs (random bytes, so they compress like PNGs). Each
   * repository is tagged latest and a version; every fifth app is an amd64+arm64 OCI index, the
   * others single amd64 images; every repository also has an older amd64 image under "beta" (not
   * matched by tag=latest).
   */
  static int pushFlatpak(RegistryPusher pusher, int repositories) throws Exception {
    AtomicInteger manifests = new AtomicInteger();
    List<Runnable> jobs = new ArrayList<>();
    for (int i = 0; i < repositories; i++) {
      int n = i;
      jobs.add(
          () -> {
            boolean runtime = n % 10 == 0;
            String id =
                runtime
                    ? String.format("org.bench.Platform%02d", n)
                    : String.format("org.bench.App%03d", n);
            String repository = (runtime ? "runtime/" : "app/") + id.toLowerCase(Locale.ROOT);
            if (n % 5 == 1) {
              List<ImageSpec> specs =
                  List.of(
                      flatpakSpec(id, runtime, "amd64", "x86_64", "1.0." + n),
                      flatpakSpec(id, runtime, "arm64", "aarch64", "1.0." + n));
              var index = pusher.pushMultiArch(repository, "latest", IndexFormat.OCI_INDEX, specs);
              pusher.tagExisting(repository, "1.0." + n, index.digest());
              manifests.addAndGet(3);
            } else {
              var image =
                  pusher.pushImage(
                      repository,
                      "latest",
                      flatpakSpec(id, runtime, "amd64", "x86_64", "1.0." + n));
              pusher.tagExisting(repository, "1.0." + n, image.digest());
              manifests.addAndGet(1);
            }
            pusher.pushImage(
                repository, "beta", flatpakSpec(id, runtime, "amd64", "x86_64", "0.9." + n));
            manifests.addAndGet(1);
          });
    }
    runAll(jobs);
    return manifests.get();
  }

  static ImageSpec flatpakSpec(
      String id, boolean runtime, String goArch, String flatpakArch, String version) {
    Random random = new Random((id + goArch + version).hashCode());
    String branch = runtime ? "23.08" : "stable";
    String ref = (runtime ? "runtime/" : "app/") + id + "/" + flatpakArch + "/" + branch;
    String metadata =
        runtime
            ? "[Runtime]\nname="
                + id
                + "\nruntime="
                + id
                + "/"
                + flatpakArch
                + "/"
                + branch
                + "\nsdk="
                + id
                + ".Sdk/"
                + flatpakArch
                + "/"
                + branch
                + "\n\n[Environment]\nGI_TYPELIB_PATH=/app/lib/girepository-1.0\n"
                + "XDG_DATA_DIRS=/app/share:/usr/share:/usr/share/runtime/share:/run/host/share\n"
            : "[Application]\nname="
                + id
                + "\nruntime=org.bench.Platform00/"
                + flatpakArch
                + "/23.08\nsdk="
                + "org.bench.Platform00.Sdk/"
                + flatpakArch
                + "/23.08\ncommand="
                + id.toLowerCase(Locale.ROOT)
                + "\n\n[Context]\nshared=network;ipc;\nsockets=x11;wayland;pulseaudio;fallback-x11;\ndevices=dri;\n"
                + "filesystems=xdg-download;xdg-documents:ro;\n\n[Session Bus Policy]\norg.freedesktop.Notifications=talk\n";
    String appdata =
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <components version="0.8" origin="flatpak">
          <component type="%s">
            <id>%s</id>
            <name>%s</name>
            <summary>A benchmark application that does %s things</summary>
            <description><p>%s is a made-up application for Flagstate's benchmark. It stands in for a real
              desktop application: a name, a summary, a description of a few sentences, screenshots,
              releases and a license, as appstream-compose writes them into the Flatpak bundle.</p>
              <p>Version %s brings performance improvements, bug fixes and updated translations.</p></description>
            <project_license>GPL-3.0-or-later</project_license>
            <url type="homepage">https://example.org/%s</url>
            <screenshots><screenshot type="default"><image>https://example.org/%s/shot-1.png</image></screenshot>
              <screenshot><image>https://example.org/%s/shot-2.png</image></screenshot></screenshots>
            <releases><release version="%s" date="2024-05-01"/><release version="0.9" date="2023-11-20"/></releases>
            <content_rating type="oars-1.1"/>
          </component>
        </components>
        """
            .formatted(
                runtime ? "runtime" : "desktop-application",
                id,
                id,
                version,
                id,
                version,
                id,
                id,
                id,
                version);
    Map<String, Object> labels = new LinkedHashMap<>();
    labels.put("org.flatpak.ref", ref);
    labels.put("org.flatpak.metadata", metadata);
    labels.put(
        "org.flatpak.installed-size", Long.toString(1_000_000L + random.nextInt(200_000_000)));
    labels.put("org.flatpak.download-size", Long.toString(500_000L + random.nextInt(80_000_000)));
    labels.put("org.flatpak.commit", HexFormat.of().formatHex(randomBytes(random, 32)));
    labels.put("org.flatpak.parent-commit", HexFormat.of().formatHex(randomBytes(random, 32)));
    labels.put("org.flatpak.timestamp", Long.toString(1_700_000_000L + random.nextInt(30_000_000)));
    labels.put("org.flatpak.commit-metadata.xa.token-type", "AQAAAABp");
    labels.put("org.flatpak.subject", "Export " + id);
    labels.put(
        "org.flatpak.body",
        "Name: "
            + id
            + "\nArch: "
            + flatpakArch
            + "\nBranch: "
            + branch
            + "\nBuilt with: flatpak-builder 1.4.2\n");
    labels.put("org.freedesktop.appstream.appdata", appdata);
    if (!runtime) {
      labels.put(
          "org.freedesktop.appstream.icon-64",
          "data:image/png;base64," + Base64.getEncoder().encodeToString(randomBytes(random, 2500)));
      labels.put(
          "org.freedesktop.appstream.icon-128",
          "data:image/png;base64," + Base64.getEncoder().encodeToString(randomBytes(random, 6000)));
    }
    return ImageSpec.oci()
        .withArchitecture(goArch)
        .withVariant(goArch.equals("arm64") ? "v8" : null)
        .withCreated("2024-05-01T12:00:00Z")
        .withLabels(labels)
        .withAnnotation("org.opencontainers.image.version", version)
        .withSeed(id + "/" + goArch + "/" + version);
  }

  /**
   * {@code repositories} repositories bench/repo0000…, each with tags v1…, every tag a distinct
   * small image.
   */
  static int pushCrawl(RegistryPusher pusher, int repositories, int tagsPerRepo) throws Exception {
    List<Runnable> jobs = new ArrayList<>();
    for (int i = 0; i < repositories; i++) {
      String name = String.format("repo%04d", i);
      jobs.add(
          () -> {
            for (int t = 1; t <= tagsPerRepo; t++) {
              String tag = t == tagsPerRepo ? "latest" : "v" + t;
              // same layer (seed) within a repository, distinct config per tag: distinct manifests,
              // few uploads
              pusher.pushImage(
                  "bench/" + name,
                  tag,
                  ImageSpec.oci()
                      .withSeed(name)
                      .withCreated("2024-05-01T12:00:00Z")
                      .withLabel("org.opencontainers.image.title", name)
                      .withLabel("org.opencontainers.image.version", tag)
                      .withLabel(
                          "org.opencontainers.image.description",
                          "benchmark image " + name + ":" + tag)
                      .withAnnotation(
                          "org.opencontainers.image.source", "https://example.org/" + name));
            }
          });
    }
    runAll(jobs);
    return repositories * tagsPerRepo;
  }

  private static byte[] randomBytes(Random random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return bytes;
  }

  private static void runAll(List<Runnable> jobs) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(PUSH_THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (Runnable job : jobs) {
        futures.add(pool.submit(job));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
