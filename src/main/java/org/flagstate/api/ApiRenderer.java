package org.flagstate.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.flagstate.http.Bytewise;

/**
 * Writes the JSON of {@code /api/v1/} (docs/api.md). Like the index, the order of everything is
 * total (repositories, tags, digests and map keys bytewise; list members in manifest order) and
 * unknown values are left out rather than written as null, so equal data gives equal bytes and
 * equal ETags.
 */
final class ApiRenderer {

  private static final JsonFactory JSON = new JsonFactory();

  /** UTC, always with milliseconds, so timestamps have one spelling. */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'");

  @FunctionalInterface
  private interface Body {
    void write(JsonGenerator json) throws IOException;
  }

  byte[] repositories(ApiReader.RepositoryPage page, ApiPage request) {
    return render(
        json -> {
          json.writeStartObject();
          writePage(json, page, request);
          json.writeEndObject();
        });
  }

  byte[] search(ApiReader.SearchPage result, RepositorySearch search) {
    return render(
        json -> {
          json.writeStartObject();
          json.writeObjectFieldStart("query");
          if (search.text() != null) {
            json.writeStringField("q", search.text());
          }
          writeStrings(json, "architecture", search.architectures());
          writeStrings(json, "os", search.oses());
          writeStrings(json, "label", search.labels());
          writeStrings(json, "mediaType", search.mediaTypes());
          writeStrings(json, "kind", search.kinds());
          writeStrings(json, "namespace", search.namespaces());
          json.writeEndObject();
          writePage(json, result.page(), search.page());
          json.writeObjectFieldStart("facets");
          for (Map.Entry<String, Map<String, Long>> facet : result.facets().entrySet()) {
            json.writeObjectFieldStart(facet.getKey());
            Map<String, Long> counts = new TreeMap<>(Bytewise.ORDER);
            counts.putAll(facet.getValue());
            for (Map.Entry<String, Long> count : counts.entrySet()) {
              json.writeNumberField(count.getKey(), count.getValue());
            }
            json.writeEndObject();
          }
          json.writeEndObject();
          json.writeBooleanField("facetsEstimated", result.facetsEstimated());
          json.writeEndObject();
        });
  }

  byte[] repository(ApiReader.RepositoryDetail detail) {
    return render(
        json -> {
          json.writeStartObject();
          writeSummaryFields(json, detail.summary());
          json.writeArrayFieldStart("tags");
          List<ApiReader.Tag> tags = new ArrayList<>(detail.tags());
          tags.sort((a, b) -> Bytewise.ORDER.compare(a.name(), b.name()));
          for (ApiReader.Tag tag : tags) {
            json.writeStartObject();
            json.writeStringField("name", tag.name());
            writeTimestamp(json, "updatedAt", tag.updatedAt());
            writeManifestFields(json, tag.manifest(), tag.members());
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeEndObject();
        });
  }

  byte[] digest(ApiReader.DigestUsage usage) {
    return render(
        json -> {
          json.writeStartObject();
          writeManifestFields(json, usage.manifest(), usage.members());
          Map<String, RepositoryHolders> repositories = new TreeMap<>(Bytewise.ORDER);
          for (ApiReader.Holder holder : usage.holders()) {
            RepositoryHolders holders =
                repositories.computeIfAbsent(holder.repository(), name -> new RepositoryHolders());
            if (holder.listDigest() == null) {
              holders.tags.add(holder.tag());
            } else {
              holders
                  .lists
                  .computeIfAbsent(
                      holder.listDigest(), digest -> new ListHolder(holder.listMediaType()))
                  .tags
                  .add(holder.tag());
            }
          }
          json.writeArrayFieldStart("repositories");
          for (Map.Entry<String, RepositoryHolders> repository : repositories.entrySet()) {
            json.writeStartObject();
            json.writeStringField("name", repository.getKey());
            writeStrings(json, "tags", repository.getValue().tags);
            json.writeArrayFieldStart("lists");
            for (Map.Entry<String, ListHolder> list : repository.getValue().lists.entrySet()) {
              json.writeStartObject();
              json.writeStringField("digest", list.getKey());
              json.writeStringField("mediaType", list.getValue().mediaType);
              writeStrings(json, "tags", list.getValue().tags);
              json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
          }
          json.writeEndArray();
          json.writeEndObject();
        });
  }

  private static final class RepositoryHolders {
    final SortedSet<String> tags = new TreeSet<>(Bytewise.ORDER);
    final Map<String, ListHolder> lists = new TreeMap<>(Bytewise.ORDER);
  }

  private static final class ListHolder {
    final String mediaType;
    final SortedSet<String> tags = new TreeSet<>(Bytewise.ORDER);

    ListHolder(String mediaType) {
      this.mediaType = mediaType;
    }
  }

  private static void writePage(JsonGenerator json, ApiReader.RepositoryPage page, ApiPage request)
      throws IOException {
    json.writeArrayFieldStart("repositories");
    for (ApiReader.RepositorySummary repository : page.repositories()) {
      json.writeStartObject();
      writeSummaryFields(json, repository);
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeNumberField("total", page.total());
    json.writeNumberField("limit", request.limit());
    if (page.nextAfter() != null) {
      json.writeStringField("next", Cursor.after(page.nextAfter()));
    } else {
      json.writeNullField("next");
    }
  }

  private static void writeSummaryFields(JsonGenerator json, ApiReader.RepositorySummary repository)
      throws IOException {
    json.writeStringField("name", repository.name());
    writeOptional(json, "title", repository.title());
    writeOptional(json, "description", repository.description());
    writeOptional(json, "icon", repository.icon());
    json.writeNumberField("tagCount", repository.tagCount());
    writeTimestamp(json, "lastUpdated", repository.lastUpdated());
  }

  /**
   * digest, mediaType, kind, platform or architectures, created, size, labels, annotations,
   * members.
   */
  private static void writeManifestFields(
      JsonGenerator json, ApiReader.Manifest manifest, List<ApiReader.Member> members)
      throws IOException {
    json.writeStringField("digest", manifest.digest());
    json.writeStringField("mediaType", manifest.mediaType());
    json.writeStringField("kind", manifest.isList() ? "list" : "image");
    SortedSet<String> architectures = new TreeSet<>(Bytewise.ORDER);
    if (manifest.isList()) {
      for (ApiReader.Member member : members) {
        String architecture =
            firstNonNull(member.manifest().architecture(), member.platformArchitecture());
        if (architecture != null) {
          architectures.add(architecture);
        }
      }
    } else {
      if (manifest.architecture() != null) {
        architectures.add(manifest.architecture());
      }
      writePlatform(json, manifest.os(), manifest.architecture(), manifest.variant());
    }
    writeStrings(json, "architectures", architectures);
    writeOptional(json, "created", manifest.created());
    writeSize(json, manifest);
    writeStringMap(json, "labels", manifest.labels());
    writeStringMap(json, "annotations", manifest.annotations());
    if (manifest.isList()) {
      json.writeArrayFieldStart("members");
      for (ApiReader.Member member : members) {
        ApiReader.Manifest image = member.manifest();
        json.writeStartObject();
        json.writeStringField("digest", image.digest());
        json.writeStringField("mediaType", image.mediaType());
        writePlatform(
            json,
            firstNonNull(image.os(), member.platformOs()),
            firstNonNull(image.architecture(), member.platformArchitecture()),
            firstNonNull(image.variant(), member.platformVariant()));
        writePlatformObject(
            json,
            "listedPlatform",
            member.platformOs(),
            member.platformArchitecture(),
            member.platformVariant());
        writeOptional(json, "created", image.created());
        writeSize(json, image);
        writeStringMap(json, "labels", image.labels());
        writeStringMap(json, "annotations", image.annotations());
        json.writeEndObject();
      }
      json.writeEndArray();
    }
  }

  /** {@code "platform": {"os", "architecture", "variant"}}, each left out when unknown. */
  private static void writePlatform(
      JsonGenerator json, String os, String architecture, String variant) throws IOException {
    writePlatformObject(json, "platform", os, architecture, variant);
  }

  private static void writePlatformObject(
      JsonGenerator json, String field, String os, String architecture, String variant)
      throws IOException {
    json.writeObjectFieldStart(field);
    writeOptional(json, "os", os);
    writeOptional(json, "architecture", architecture);
    writeOptional(json, "variant", variant);
    json.writeEndObject();
  }

  /**
   * Manifest bytes always; config, layers and their total for an image whose manifest declared
   * them.
   */
  private static void writeSize(JsonGenerator json, ApiReader.Manifest manifest)
      throws IOException {
    json.writeObjectFieldStart("size");
    json.writeNumberField("manifest", manifest.size());
    if (manifest.configSize() != null) {
      json.writeNumberField("config", manifest.configSize());
    }
    if (manifest.layersSize() != null) {
      json.writeNumberField("layers", manifest.layersSize());
    }
    if (manifest.configSize() != null && manifest.layersSize() != null) {
      json.writeNumberField(
          "total", manifest.size() + manifest.configSize() + manifest.layersSize());
    }
    json.writeEndObject();
  }

  private static void writeStringMap(JsonGenerator json, String field, JsonObject map)
      throws IOException {
    Map<String, String> sorted = new TreeMap<>(Bytewise.ORDER);
    for (Map.Entry<String, Object> entry : map) {
      if (entry.getValue() instanceof String value) {
        sorted.put(entry.getKey(), value);
      }
    }
    json.writeObjectFieldStart(field);
    for (Map.Entry<String, String> entry : sorted.entrySet()) {
      json.writeStringField(entry.getKey(), entry.getValue());
    }
    json.writeEndObject();
  }

  private static void writeStrings(JsonGenerator json, String field, Iterable<String> values)
      throws IOException {
    json.writeArrayFieldStart(field);
    for (String value : values) {
      json.writeString(value);
    }
    json.writeEndArray();
  }

  private static void writeOptional(JsonGenerator json, String field, String value)
      throws IOException {
    if (value != null) {
      json.writeStringField(field, value);
    }
  }

  private static void writeTimestamp(JsonGenerator json, String field, OffsetDateTime time)
      throws IOException {
    if (time != null) {
      json.writeStringField(field, TIMESTAMP.format(time.withOffsetSameInstant(ZoneOffset.UTC)));
    }
  }

  private static String firstNonNull(String first, String second) {
    return first != null ? first : second;
  }

  private static byte[] render(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      body.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
