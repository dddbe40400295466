package org.flagstate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;
import org.flagstate.testsupport.MediaTypes;

/**
 * For {@code scripts/bench}'s scale parts: writes a docker/distribution 2.8 filesystem storage
 * directly, many times faster than pushing through the Registry API, in exactly the layout a push
 * leaves (checked against a {@code RegistryProcess} storage after {@code RegistryPusher} pushes):
 *
 * <pre>
 * docker/registry/v2/blobs/sha256/&lt;2 hex&gt;/&lt;hex&gt;/data                       manifests, configs, layers
 * docker/registry/v2/repositories/&lt;name&gt;/_layers/sha256/&lt;hex&gt;/link             config and layer links
 * docker/registry/v2/repositories/&lt;name&gt;/_manifests/revisions/sha256/&lt;hex&gt;/link  every manifest, list members too
 * docker/registry/v2/repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;/current/link
 * docker/registry/v2/repositories/&lt;name&gt;/_manifests/tags/&lt;tag&gt;/index/sha256/&lt;hex&gt;/link
 * docker/registry/v2/repositories/&lt;name&gt;/_uploads/
 * </pre>
 *
 * (a link holds {@code sha256:<hex>} without a newline). The registry then serves it through its
 * HTTP API as if it had been pushed, so the crawl still goes through that API.
 *
 * <p>The content: REPOS repositories with TAGS tags each ({@code v1…}, then {@code latest}), every
 * tag a distinct OCI image (own config). Every tenth repository is a Flatpak-like app under {@code
 * app/} (config labels as Flatpak's build-bundle writes them: ref, metadata, sizes, commit,
 * appstream XML and a small 64 px icon), one in five of those tagged {@code latest} as an
 * amd64+arm64 OCI index; the others are services under {@code teamNN/} with title and description
 * labels, one in seven built for arm64. Names, titles and descriptions are made of words from
 * {@link #WORDS}, so searches have realistic match sets. Everything is derived from the repository
 * number: the same arguments give byte-identical storage.
 *
 * <p>Besides the storage it writes, under OUT: {@code queries/*.txt} (request paths for the search,
 * flood and uncached-index runs, each line distinct so the response cache cannot answer them), and
 * {@code info} ({@code key=value}: repositories, tags, manifests, flatpak_apps, seconds), written
 * last.
 *
 * <pre>BenchStorage OUT REPOS TAGS</pre>
 *
 * The registry's storage root is {@code OUT/registry}.
 */
public final class BenchStorage {

  /** Words of names, titles and descriptions (and of the search queries). */
  static final List<String> WORDS =
      List.of(
          ("amber anchor apple arrow atlas aurora badger bamboo banner basalt beacon "
                  + "birch bison blossom bolt breeze bronze bubble cactus canyon carbon cargo cedar cello chalk cherry cinder "
                  + "citrus clover cobalt comet copper coral cosmos cotton crane crystal cypress dahlia delta desert dingo "
                  + "dolphin dragon drift dune eagle echo ember emerald falcon fern fiber flame flint fog forest fossil fox "
                  + "galaxy garnet gecko geyser ginger glacier granite graphite gravel grove harbor hazel heron hickory horizon "
                  + "indigo iris ivory jade jasmine jasper juniper kelp kestrel kiwi lagoon larch lava lemon lichen lilac lime "
                  + "linden lotus lunar lynx magma mango maple marble marsh meadow mercury mesa mint mist monsoon moss nebula "
                  + "nectar nickel nimbus oak oasis obsidian ocean olive onyx opal orbit orchid osprey otter panda papaya "
                  + "pebble pepper petal pine plasma plum polar poplar prairie prism pulsar quartz quill quince radar raven "
                  + "reef ridge river robin ruby saffron sage salmon sapphire savanna sequoia shadow shale sierra silver "
                  + "slate solar sparrow spruce squall starling stone storm summit sunset swift tango teal tempest thistle "
                  + "thunder tidal timber topaz tulip tundra turquoise umber valley velvet violet vortex walnut willow wind "
                  + "wolf yarrow zephyr zinc")
              .split(" "));

  static final String FLATPAK_SUFFIX = " application for desktop people";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CREATED = "2024-05-01T12:00:00Z";

  private final Path blobs;
  private final Path repositories;
  private final AtomicLong manifests = new AtomicLong();
  private final AtomicLong files = new AtomicLong();

  private BenchStorage(Path root) {
    Path v2 = root.resolve("docker/registry/v2");
    this.blobs = v2.resolve("blobs/sha256");
    this.repositories = v2.resolve("repositories");
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 4 && args[0].equals("--queries")) {
      // storage written by an earlier version: only the request files are (re)written
      writeQueries(
          Path.of(args[1]).resolve("queries"),
          Integer.parseInt(args[2]),
          Integer.parseInt(args[3]));
      return;
    }
    if (args.length != 3) {
      System.err.println(
          "usage: BenchStorage OUT REPOS TAGS | BenchStorage --queries OUT REPOS TAGS");
      System.exit(2);
    }
    Path out = Path.of(args[0]);
    int repos = Integer.parseInt(args[1]);
    int tags = Integer.parseInt(args[2]);
    if (tags < 1 || repos < 1) {
      throw new IllegalArgumentException("REPOS and TAGS must be at least 1");
    }
    long began = System.nanoTime();
    BenchStorage storage = new BenchStorage(out.resolve("registry"));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    List<Future<?>> jobs = new ArrayList<>();
    int chunk = 250;
    for (int from = 0; from < repos; from += chunk) {
      int start = from;
      int end = Math.min(repos, from + chunk);
      jobs.add(
          pool.submit(
              () -> {
                for (int i = start; i < end; i++) {
                  storage.repository(i, tags);
                }
                return null;
              }));
    }
    for (Future<?> job : jobs) {
      job.get();
    }
    pool.shutdown();
    int apps = 0;
    for (int i = 0; i < repos; i++) {
      apps += isApp(i) ? 1 : 0;
    }
    writeQueries(out.resolve("queries"), repos, tags);
    double seconds = (System.nanoTime() - began) / 1e9;
    String info =
        "repositories="
            + repos
            + "\ntags="
            + tags
            + "\ntagged="
            + (long) repos * tags
            + "\nmanifests="
            + storage.manifests.get()
            + "\nflatpak_apps="
            + apps
            + "\nfiles="
            + storage.files.get()
            + String.format(Locale.ROOT, "\nseconds=%.1f\n", seconds);
    Path partial = out.resolve("info.partial");
    Files.writeString(partial, info);
    Files.move(partial, out.resolve("info"), StandardCopyOption.ATOMIC_MOVE);
    System.out.printf(
        Locale.ROOT,
        "storage: %d repositories x %d tags (%d manifests, %d Flatpak apps, %d files) "
            + "written in %.1f s%n",
        repos,
        tags,
        storage.manifests.get(),
        apps,
        storage.files.get(),
        seconds);
  }

  static boolean isApp(int i) {
    return i % 10 == 0;
  }

  /** Words of repository {@code i}: w[0], w[1] name it; all six describe it. */
  static String[] words(int i) {
    Random random = new Random(7919L * i + 17);
    String[] words = new String[6];
    for (int k = 0; k < words.length; k++) {
      words[k] = WORDS.get(random.nextInt(WORDS.size()));
    }
    return words;
  }

  static String name(int i) {
    String[] w = words(i);
    if (isApp(i)) {
      return "app/" + appId(i).toLowerCase(Locale.ROOT);
    }
    return String.format(Locale.ROOT, "team%02d/%s-%s-%05d", i % 64, w[0], w[1], i);
  }

  static String appId(int i) {
    String[] w = words(i);
    return String.format(
        Locale.ROOT, "org.bench.%s%s%05d", capitalized(w[0]), capitalized(w[1]), i);
  }

  private static String capitalized(String word) {
    return Character.toUpperCase(word.charAt(0)) + word.substring(1);
  }

  private void repository(int i, int tags) throws IOException {
    String name = name(i);
    Path repo = repositories.resolve(name);
    Files.createDirectories(repo.resolve("_uploads"));
    String layer = blob(gzip(("layer of " + name + "\n").getBytes(StandardCharsets.UTF_8)));
    String diffId =
        "sha256:" + sha256(("layer of " + name + "\n").getBytes(StandardCharsets.UTF_8));
    link(repo.resolve("_layers"), layer);
    for (int t = 1; t <= tags; t++) {
      String tag = t == tags ? "latest" : "v" + t;
      String version = "1." + t + "." + i;
      String digest;
      if (isApp(i) && tag.equals("latest") && i % 50 == 0) {
        List<String[]> members = new ArrayList<>();
        for (String arch : List.of("amd64", "arm64")) {
          String[] member = image(repo, i, arch, version, layer, diffId);
          members.add(new String[] {member[0], member[1], arch});
        }
        digest = index(repo, members);
      } else {
        String arch = !isApp(i) && i % 7 == 3 ? "arm64" : "amd64";
        digest = image(repo, i, arch, version, layer, diffId)[0];
      }
      Path tagDir = repo.resolve("_manifests/tags").resolve(tag);
      write(
          tagDir.resolve("current/link"), ("sha256:" + digest).getBytes(StandardCharsets.US_ASCII));
      link(tagDir.resolve("index"), digest);
    }
  }

  /**
   * Writes an image (config, manifest, links); returns its manifest digest (hex) and manifest size.
   */
  private String[] image(Path repo, int i, String arch, String version, String layer, String diffId)
      throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.put("created", CREATED);
    config.put("architecture", arch);
    if (arch.equals("arm64")) {
      config.put("variant", "v8");
    }
    config.put("os", "linux");
    ObjectNode inner = config.putObject("config");
    inner.putArray("Env").add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    ObjectNode labels = inner.putObject("Labels");
    labels(i, arch, version).forEach(labels::put);
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    rootfs.putArray("diff_ids").add(diffId);
    byte[] configBytes = JSON.writeValueAsBytes(config);
    String configDigest = blob(configBytes);
    link(repo.resolve("_layers"), configDigest);

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest
        .putObject("config")
        .put("mediaType", MediaTypes.OCI_CONFIG)
        .put("digest", "sha256:" + configDigest)
        .put("size", configBytes.length);
    manifest
        .putArray("layers")
        .addObject()
        .put("mediaType", MediaTypes.OCI_LAYER_GZIP)
        .put("digest", "sha256:" + layer)
        .put("size", Files.size(blobPath(layer)));
    manifest
        .putObject("annotations")
        .put("org.opencontainers.image.version", version)
        .put("org.opencontainers.image.source", "https://example.org/" + name(i));
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    String digest = blob(manifestBytes);
    link(repo.resolve("_manifests/revisions"), digest);
    manifests.incrementAndGet();
    return new String[] {digest, Integer.toString(manifestBytes.length)};
  }

  private String index(Path repo, List<String[]> members) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode list = index.putArray("manifests");
    for (String[] member : members) {
      ObjectNode entry =
          list.addObject()
              .put("mediaType", MediaTypes.OCI_MANIFEST)
              .put("digest", "sha256:" + member[0])
              .put("size", Integer.parseInt(member[1]));
      ObjectNode platform =
          entry.putObject("platform").put("architecture", member[2]).put("os", "linux");
      if (member[2].equals("arm64")) {
        platform.put("variant", "v8");
      }
    }
    byte[] bytes = JSON.writeValueAsBytes(index);
    String digest = blob(bytes);
    link(repo.resolve("_manifests/revisions"), digest);
    manifests.incrementAndGet();
    return digest;
  }

  static Map<String, String> labels(int i, String arch, String version) {
    String[] w = words(i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (!isApp(i)) {
      labels.put("org.opencontainers.image.title", capitalized(w[0]) + " " + capitalized(w[1]));
      labels.put(
          "org.opencontainers.image.description",
          "The " + w[2] + " " + w[3] + " service for " + w[4] + " " + w[5]);
      labels.put("org.opencontainers.image.version", version);
      labels.put("org.opencontainers.image.vendor", "Team " + (i % 64));
      return labels;
    }
    String id = appId(i);
    String flatpakArch = arch.equals("arm64") ? "aarch64" : "x86_64";
    Random random = new Random(id.hashCode() * 31L + version.hashCode());
    String title = capitalized(w[0]) + " " + capitalized(w[1]);
    String summary = "A " + w[2] + " " + w[3] + " and " + w[4] + " " + w[5] + FLATPAK_SUFFIX;
    labels.put("org.flatpak.ref", "app/" + id + "/" + flatpakArch + "/stable");
    labels.put(
        "org.flatpak.metadata",
        "[Application]\nname="
            + id
            + "\nruntime=org.bench.Platform/"
            + flatpakArch
            + "/23.08\nsdk=org.bench.Sdk/"
            + flatpakArch
            + "/23.08\ncommand="
            + id.toLowerCase(Locale.ROOT)
            + "\n\n[Context]\nshared=network;ipc;\nsockets=x11;wayland;pulseaudio;\ndevices=dri;\n");
    labels.put(
        "org.flatpak.installed-size", Long.toString(1_000_000L + random.nextInt(200_000_000)));
    labels.put("org.flatpak.download-size", Long.toString(500_000L + random.nextInt(80_000_000)));
    labels.put("org.flatpak.commit", hex(random, 32));
    labels.put("org.flatpak.timestamp", Long.toString(1_700_000_000L + random.nextInt(30_000_000)));
    labels.put(
        "org.freedesktop.appstream.appdata",
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <components version="0.8" origin="flatpak"><component type="desktop-application"><id>%s</id>\
        <name>%s</name><summary>%s</summary><project_license>GPL-3.0-or-later</project_license>\
        <releases><release version="%s" date="2024-05-01"/></releases></component></components>
        """
            .formatted(id, title, summary, version));
    byte[] icon = new byte[600];
    random.nextBytes(icon);
    labels.put(
        "org.freedesktop.appstream.icon-64",
        "data:image/png;base64," + Base64.getEncoder().encodeToString(icon));
    return labels;
  }

  // --- queries
  // ------------------------------------------------------------------------------------------------

  /**
   * Request paths, one per line, every line distinct (so none is answered from the response cache)
   * and shuffled with a fixed seed: the search kinds of /api/v1/search and /v1/search (pages and
   * page sizes vary, the match set does not), and uncached variants of the Flatpak query.
   */
  static void writeQueries(Path dir, int repos, int tags) throws IOException {
    Files.createDirectories(dir);
    Random random = new Random(42);
    int lines = 20_000;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < repos; i++) {
      names.add(name(i));
    }
    Collections.sort(names);
    Map<String, List<String>> files = new LinkedHashMap<>();
    for (String kind : List.of("one", "prefix", "two", "empty", "filtered")) {
      List<String> api = new ArrayList<>();
      List<String> v1 = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int n = 0; api.size() < lines && n < lines * 4; n++) {
        String text =
            switch (kind) {
              case "one" -> WORDS.get(random.nextInt(WORDS.size()));
              case "prefix" -> {
                String word = WORDS.get(random.nextInt(WORDS.size()));
                yield word.substring(0, Math.min(word.length(), 2 + random.nextInt(2)));
              }
              case "two" ->
                  WORDS.get(random.nextInt(WORDS.size()))
                      + " "
                      + WORDS.get(random.nextInt(WORDS.size()));
              case "filtered" ->
                  random.nextBoolean() ? WORDS.get(random.nextInt(WORDS.size())) : "";
              default -> "";
            };
        String filters = kind.equals("filtered") ? filters(random) : "";
        int limit = 1 + random.nextInt(100);
        String cursor = random.nextInt(4) == 0 ? null : names.get(random.nextInt(names.size()));
        String q =
            text.isEmpty() ? "" : "q=" + URLEncoder.encode(text, StandardCharsets.UTF_8) + "&";
        String path =
            "/api/v1/search?"
                + q
                + filters
                + "limit="
                + limit
                + (cursor == null ? "" : "&cursor=" + cursor(cursor));
        if (seen.add(path)) {
          api.add(path);
          if (!text.isEmpty() && filters.isEmpty()) {
            v1.add(
                "/v1/search?q="
                    + URLEncoder.encode(text, StandardCharsets.UTF_8)
                    + "&n="
                    + limit
                    + "&page="
                    + (1 + random.nextInt(3)));
          }
        }
      }
      files.put("api-" + kind, api);
      if (!v1.isEmpty()) {
        files.put("v1-" + kind, new ArrayList<>(new java.util.LinkedHashSet<>(v1)));
      }
    }
    for (Map.Entry<String, List<String>> file : files.entrySet()) {
      Files.write(dir.resolve(file.getKey() + ".txt"), file.getValue());
    }
  }

  /**
   * One to three facet filters of /api/v1/search ({@code kind=flatpak-app&architecture=arm64&}),
   * each a value the data holds or a near miss.
   */
  private static String filters(Random random) {
    List<String> choices =
        new ArrayList<>(
            List.of(
                "kind="
                    + List.of("flatpak-app", "container-image", "cockpit-plugin")
                        .get(random.nextInt(3)),
                "architecture=" + (random.nextBoolean() ? "amd64" : "arm64"),
                "os=linux",
                "label="
                    + (random.nextBoolean() ? "org.flatpak.ref" : "org.opencontainers.image.title"),
                "namespace=" + String.format(Locale.ROOT, "team%02d", random.nextInt(64)),
                "mediaType="
                    + URLEncoder.encode(
                        "application/vnd.oci.image.index.v1+json", StandardCharsets.UTF_8)));
    Collections.shuffle(choices, random);
    StringBuilder filters = new StringBuilder();
    for (String filter : choices.subList(0, 1 + random.nextInt(3))) {
      filters.append(filter).append('&');
    }
    return filters.toString();
  }

  static String cursor(String name) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(("1:" + name).getBytes(StandardCharsets.UTF_8));
  }

  // --- storage primitives
  // -------------------------------------------------------------------------------------

  /** Stores {@code bytes} as a blob (once); returns its hex digest. */
  private String blob(byte[] bytes) throws IOException {
    String hex = sha256(bytes);
    Path data = blobPath(hex);
    if (!Files.exists(data)) {
      write(data, bytes);
    }
    return hex;
  }

  private Path blobPath(String hex) {
    return blobs.resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
  }

  /** {@code dir/sha256/<hex>/link} holding {@code sha256:<hex>}. */
  private void link(Path dir, String hex) throws IOException {
    write(
        dir.resolve("sha256").resolve(hex).resolve("link"),
        ("sha256:" + hex).getBytes(StandardCharsets.US_ASCII));
  }

  private void write(Path file, byte[] bytes) throws IOException {
    // every blob and link is written by one thread only (all content names its repository)
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
    files.incrementAndGet();
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream zip = new GZIPOutputStream(out)) {
      zip.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static String hex(Random random, int count) {
    byte[] bytes = new byte[count];
    random.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
