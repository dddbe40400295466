package org.flagstate.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Puts test content into a registry through the plain Registry API v2, step by step as real clients
 * push (blobs, then children by digest, then the tagged manifest), so tests get the exact
 * manifests, tags and notifications a real push produces without needing skopeo or podman. Also
 * reads back what a test asserts on. Every unexpected status becomes a {@link
 * RegistryHttpException} carrying the status and body.
 */
public final class RegistryPusher {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

  private final String baseUrl;
  private final String authorization;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /**
   * @param baseUrl for example {@code http://127.0.0.1:5000}
   */
  public RegistryPusher(String baseUrl) {
    this(baseUrl, null);
  }

  /**
   * @param authorization nullable value of the {@code Authorization} header sent with every request
   */
  public RegistryPusher(String baseUrl, String authorization) {
    this.baseUrl = baseUrl.replaceAll("/+$", "");
    this.authorization = authorization;
  }

  /** A pusher for {@code registry}, with its Basic credentials if it has any. */
  public static RegistryPusher forRegistry(RegistryProcess registry) {
    return new RegistryPusher(
        registry.baseUrl(),
        registry.credentials().map(RegistryProcess.Credentials::authorizationHeader).orElse(null));
  }

  /**
   * Pushes layer, config and manifest; with a null {@code tag} the manifest is put by digest only.
   */
  public PushedImage pushImage(String repository, String tag, ImageSpec spec) {
    byte[] tar = tar("seed.txt", spec.seed().getBytes(StandardCharsets.UTF_8));
    byte[] layer = gzip(tar);
    String layerDigest = pushBlob(repository, layer);

    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", spec.architecture());
    config.put("os", spec.os());
    if (spec.variant() != null) {
      config.put("variant", spec.variant());
    }
    if (spec.created() != null) {
      config.put("created", spec.created());
    }
    ObjectNode runtimeConfig = config.putObject("config");
    if (!spec.labels().isEmpty()) {
      runtimeConfig.set("Labels", JSON.valueToTree(spec.labels()));
    }
    ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
    rootfs.putArray("diff_ids").add(sha256(tar));
    byte[] configBytes = bytes(config);
    String configDigest = pushBlob(repository, configBytes);

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", spec.format().mediaType());
    manifest.set(
        "config", descriptor(spec.format().configMediaType(), configDigest, configBytes.length));
    manifest
        .putArray("layers")
        .add(descriptor(spec.format().layerMediaType(), layerDigest, layer.length));
    if (!spec.annotations().isEmpty()) {
      manifest.set("annotations", JSON.valueToTree(spec.annotations()));
    }
    byte[] manifestBytes = bytes(manifest);
    String digest = putManifest(repository, tag, spec.format().mediaType(), manifestBytes);
    return new PushedImage(
        repository,
        tag,
        digest,
        spec.format().mediaType(),
        manifestBytes.length,
        configDigest,
        layerDigest,
        spec);
  }

  /**
   * Puts an index listing {@code members}, which must already be in {@code repository} (push them
   * tagless).
   */
  public PushedIndex pushIndex(
      String repository, String tag, IndexFormat format, List<IndexMember> members) {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", format.mediaType());
    ArrayNode manifests = index.putArray("manifests");
    for (IndexMember member : members) {
      ObjectNode entry = descriptor(member.mediaType(), member.digest(), member.size());
      ObjectNode platform =
          entry
              .putObject("platform")
              .put("architecture", member.architecture())
              .put("os", member.os());
      if (member.variant() != null) {
        platform.put("variant", member.variant());
      }
      manifests.add(entry);
    }
    byte[] body = bytes(index);
    String digest = putManifest(repository, tag, format.mediaType(), body);
    return new PushedIndex(repository, tag, digest, format.mediaType(), body.length, members);
  }

  /** The multi-arch flow: each spec pushed by digest, then the index under {@code tag}. */
  public PushedIndex pushMultiArch(
      String repository, String tag, IndexFormat format, List<ImageSpec> specs) {
    List<IndexMember> members = new ArrayList<>();
    for (ImageSpec spec : specs) {
      members.add(pushImage(repository, null, spec).asMember());
    }
    return pushIndex(repository, tag, format, members);
  }

  /**
   * Pushes an OCI artifact ({@code artifactType} {@value MediaTypes#EXAMPLE_ARTIFACT}, config
   * {@value MediaTypes#EXAMPLE_ARTIFACT_CONFIG}): an OCI manifest that is not an image and must not
   * be indexed.
   */
  public PushedManifest pushArtifact(String repository, String tag) {
    byte[] config = "{\"example\":true}".getBytes(StandardCharsets.UTF_8);
    byte[] payload = ("{\"sbom\":\"" + repository + "\"}").getBytes(StandardCharsets.UTF_8);
    String configDigest = pushBlob(repository, config);
    String payloadDigest = pushBlob(repository, payload);
    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
    manifest.put("artifactType", MediaTypes.EXAMPLE_ARTIFACT);
    manifest.set(
        "config", descriptor(MediaTypes.EXAMPLE_ARTIFACT_CONFIG, configDigest, config.length));
    manifest
        .putArray("layers")
        .add(descriptor(MediaTypes.EXAMPLE_ARTIFACT_LAYER, payloadDigest, payload.length));
    byte[] body = bytes(manifest);
    String digest = putManifest(repository, tag, MediaTypes.OCI_MANIFEST, body);
    return new PushedManifest(repository, tag, digest, MediaTypes.OCI_MANIFEST, body.length);
  }

  /** Puts the manifest stored under {@code digest} again, byte for byte, under {@code tag}. */
  public PushedManifest tagExisting(String repository, String tag, String digest) {
    FetchedManifest manifest = fetchManifest(repository, digest);
    String stored = putManifest(repository, tag, manifest.mediaType(), manifest.body());
    return new PushedManifest(
        repository, tag, stored, manifest.mediaType(), manifest.body().length);
  }

  /**
   * Deletes a manifest by digest; every tag pointing at it goes with it. Needs {@code
   * storage.delete.enabled}.
   */
  public void deleteManifest(String repository, String digest) {
    send(
        "DELETE",
        "/v2/" + repository + "/manifests/" + digest,
        HttpRequest.BodyPublishers.noBody(),
        null,
        202);
  }

  /**
   * Deletes a blob's link from a repository, so manifests that need it point at nothing (a 404
   * blob).
   */
  public void deleteBlob(String repository, String digest) {
    send(
        "DELETE",
        "/v2/" + repository + "/blobs/" + digest,
        HttpRequest.BodyPublishers.noBody(),
        null,
        202);
  }

  /**
   * The digest {@code reference} resolves to, from a {@code HEAD}; empty if the registry answers
   * 404.
   */
  public Optional<String> headDigest(String repository, String reference) {
    HttpResponse<byte[]> response =
        send(
            "HEAD",
            "/v2/" + repository + "/manifests/" + reference,
            HttpRequest.BodyPublishers.noBody(),
            null,
            200,
            404);
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    return Optional.of(requiredHeader(response, "Docker-Content-Digest"));
  }

  /** {@code GET} with the full Accept list, so OCI content and Docker lists come back as stored. */
  public FetchedManifest fetchManifest(String repository, String reference) {
    HttpResponse<byte[]> response =
        send(
            "GET",
            "/v2/" + repository + "/manifests/" + reference,
            HttpRequest.BodyPublishers.noBody(),
            null,
            200);
    return new FetchedManifest(
        requiredHeader(response, "Docker-Content-Digest"),
        requiredHeader(response, "Content-Type"),
        response.body());
  }

  public byte[] fetchBlob(String repository, String digest) {
    return send(
            "GET",
            "/v2/" + repository + "/blobs/" + digest,
            HttpRequest.BodyPublishers.noBody(),
            null,
            200)
        .body();
  }

  public JsonNode fetchJsonBlob(String repository, String digest) {
    try {
      return JSON.readTree(fetchBlob(repository, digest));
    } catch (IOException e) {
      throw new UncheckedIOException("blob " + digest + " is not JSON", e);
    }
  }

  /** Every repository in {@code /v2/_catalog}, following {@code Link} pages. */
  public List<String> catalog() {
    List<String> repositories = new ArrayList<>();
    String path = "/v2/_catalog";
    while (path != null) {
      HttpResponse<byte[]> response =
          send("GET", path, HttpRequest.BodyPublishers.noBody(), null, 200);
      parse(response.body()).path("repositories").forEach(name -> repositories.add(name.asText()));
      path = response.headers().firstValue("Link").map(RegistryPusher::nextPath).orElse(null);
    }
    return repositories;
  }

  /**
   * {@code tags/list} of {@code repository}; empty when the registry reports {@code "tags": null}.
   */
  public List<String> tags(String repository) {
    HttpResponse<byte[]> response =
        send(
            "GET",
            "/v2/" + repository + "/tags/list",
            HttpRequest.BodyPublishers.noBody(),
            null,
            200);
    List<String> tags = new ArrayList<>();
    parse(response.body()).path("tags").forEach(tag -> tags.add(tag.asText()));
    return tags;
  }

  /**
   * {@code HEAD} the blob, and upload it only if missing ({@code POST} then {@code PUT ?digest=}).
   */
  public String pushBlob(String repository, byte[] content) {
    String digest = sha256(content);
    String blobPath = "/v2/" + repository + "/blobs/" + digest;
    if (send("HEAD", blobPath, HttpRequest.BodyPublishers.noBody(), null, 200, 404).statusCode()
        == 200) {
      return digest;
    }
    HttpResponse<byte[]> started =
        send(
            "POST",
            "/v2/" + repository + "/blobs/uploads/",
            HttpRequest.BodyPublishers.noBody(),
            null,
            202);
    String location =
        URI.create(baseUrl + "/").resolve(requiredHeader(started, "Location")).toString();
    String upload =
        location
            + (location.contains("?") ? "&" : "?")
            + "digest="
            + URLEncoder.encode(digest, StandardCharsets.UTF_8);
    send(
        "PUT",
        upload,
        HttpRequest.BodyPublishers.ofByteArray(content),
        "application/octet-stream",
        201);
    return digest;
  }

  /**
   * {@code PUT}s raw manifest bytes, for shapes the convenience methods do not make.
   *
   * @param reference a tag, or null to put by the body's digest
   * @return the {@code Docker-Content-Digest} the registry answered
   */
  public String putManifest(String repository, String reference, String mediaType, byte[] body) {
    String target = reference != null ? reference : sha256(body);
    HttpResponse<byte[]> response =
        send(
            "PUT",
            "/v2/" + repository + "/manifests/" + target,
            HttpRequest.BodyPublishers.ofByteArray(body),
            mediaType,
            201);
    String digest = requiredHeader(response, "Docker-Content-Digest");
    if (!digest.equals(sha256(body))) {
      throw new IllegalStateException(
          "registry stored " + digest + " for a manifest whose sha256 is " + sha256(body));
    }
    return digest;
  }

  /** {@code sha256:<hex>} of {@code content}, the registry's digest form. */
  public static String sha256(byte[] content) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpResponse<byte[]> send(
      String method,
      String pathOrUrl,
      HttpRequest.BodyPublisher body,
      String contentType,
      int... expected) {
    String url = pathOrUrl.startsWith("http") ? pathOrUrl : baseUrl + pathOrUrl;
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", MediaTypes.MANIFEST_ACCEPT)
            .method(method, body);
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + url + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + method + " " + url, e);
    }
    for (int status : expected) {
      if (response.statusCode() == status) {
        return response;
      }
    }
    throw new RegistryHttpException(
        method, url, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
  }

  private static String requiredHeader(HttpResponse<?> response, String name) {
    return response
        .headers()
        .firstValue(name)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    response.request().method()
                        + " "
                        + response.request().uri()
                        + " answered without "
                        + name));
  }

  private static String nextPath(String link) {
    Matcher matcher = NEXT_LINK.matcher(link);
    return matcher.find() ? matcher.group(1) : null;
  }

  private static ObjectNode descriptor(String mediaType, String digest, long size) {
    ObjectNode descriptor = JSON.createObjectNode();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest);
    descriptor.put("size", size);
    return descriptor;
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("registry answered invalid JSON", e);
    }
  }

  /** A one-file ustar archive with fixed metadata, so equal content gives equal bytes. */
  private static byte[] tar(String name, byte[] content) {
    byte[] header = new byte[512];
    putAscii(header, 0, name);
    putAscii(header, 100, "0000644\0");
    putAscii(header, 108, "0000000\0");
    putAscii(header, 116, "0000000\0");
    putAscii(header, 124, String.format("%011o\0", content.length));
    putAscii(header, 136, "00000000000\0");
    putAscii(header, 148, "        ");
    header[156] = '0';
    putAscii(header, 257, "ustar\0");
    putAscii(header, 263, "00");
    int checksum = 0;
    for (byte b : header) {
      checksum += b & 0xff;
    }
    putAscii(header, 148, String.format("%06o\0 ", checksum));
    int padded = (content.length + 511) / 512 * 512;
    byte[] archive = new byte[512 + padded + 1024];
    System.arraycopy(header, 0, archive, 0, 512);
    System.arraycopy(content, 0, archive, 512, content.length);
    return archive;
  }

  private static void putAscii(byte[] target, int offset, String value) {
    byte[] ascii = value.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(ascii, 0, target, offset, ascii.length);
  }

  private static byte[] gzip(byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
      gzip.write(content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
