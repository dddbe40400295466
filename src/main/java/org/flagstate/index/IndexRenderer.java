package org.flagstate.index;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.flagstate.cache.ByteChunks;
import org.flagstate.http.Bytewise;

/**
 * Writes the Flatpak index JSON of index-protocol.md §1. The order of everything is total
 * (repositories, digests, tags and map keys bytewise; list members in manifest order), so equal
 * data gives equal bytes and the byte-derived ETag stays put.
 */
public final class IndexRenderer {

  private static final JsonFactory JSON = new JsonFactory();

  private final String registryUrl;

  public IndexRenderer(String registryUrl) {
    this.registryUrl = registryUrl;
  }

  private static final class Repository {
    final Map<String, IndexReader.ImageRow> images = new TreeMap<>(Bytewise.ORDER);
    final Map<String, List<IndexReader.ListMemberRow>> lists = new TreeMap<>(Bytewise.ORDER);
  }

  public ByteChunks render(IndexReader.Matches matches) {
    Map<String, Repository> repositories = new TreeMap<>(Bytewise.ORDER);
    for (IndexReader.ImageRow image : matches.images()) {
      repositories
          .computeIfAbsent(image.repository(), name -> new Repository())
          .images
          .put(image.digest(), image);
    }
    for (IndexReader.ListMemberRow member : matches.listMembers()) {
      repositories
          .computeIfAbsent(member.repository(), name -> new Repository())
          .lists
          .computeIfAbsent(member.listDigest(), digest -> new ArrayList<>())
          .add(member);
    }
    ByteChunks.Output out = new ByteChunks.Output(matches.approximateBytes());
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("Registry", registryUrl);
      json.writeArrayFieldStart("Results");
      for (Map.Entry<String, Repository> repository : repositories.entrySet()) {
        writeRepository(json, repository.getKey(), repository.getValue());
      }
      json.writeEndArray();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toChunks();
  }

  private static void writeRepository(JsonGenerator json, String name, Repository repository)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("Name", name);
    json.writeArrayFieldStart("Images");
    for (IndexReader.ImageRow image : repository.images.values()) {
      json.writeStartObject();
      writeImageFields(
          json,
          image.digest(),
          image.mediaType(),
          image.os(),
          image.architecture(),
          image.annotations(),
          image.labels());
      json.writeArrayFieldStart("Tags");
      for (String tag : image.tags().stream().sorted(Bytewise.ORDER).toList()) {
        json.writeString(tag);
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeArrayFieldStart("Lists");
    for (List<IndexReader.ListMemberRow> members : repository.lists.values()) {
      IndexReader.ListMemberRow list = members.get(0);
      json.writeStartObject();
      json.writeStringField("Digest", list.listDigest());
      json.writeStringField("MediaType", list.listMediaType());
      json.writeArrayFieldStart("Tags");
      for (String tag : list.listTags().stream().sorted(Bytewise.ORDER).toList()) {
        json.writeString(tag);
      }
      json.writeEndArray();
      json.writeArrayFieldStart("Images");
      for (IndexReader.ListMemberRow member : members) {
        json.writeStartObject();
        writeImageFields(
            json,
            member.digest(),
            member.mediaType(),
            member.os(),
            member.architecture(),
            member.annotations(),
            member.labels());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static void writeImageFields(
      JsonGenerator json,
      String digest,
      String mediaType,
      String os,
      String architecture,
      String annotations,
      String labels)
      throws IOException {
    json.writeStringField("Digest", digest);
    json.writeStringField("MediaType", mediaType);
    json.writeStringField("OS", os);
    json.writeStringField("Architecture", architecture);
    writeStringMap(json, "Annotations", annotations);
    writeStringMap(json, "Labels", labels);
  }

  /**
   * The string values of the JSON object {@code text}, keys in bytewise order; none: no field. Read
   * with the streaming parser: a large answer has thousands of these objects, and binding each to a
   * map cost more than writing the whole answer.
   */
  private static void writeStringMap(JsonGenerator json, String field, String text)
      throws IOException {
    if (text == null || text.equals("{}")) {
      return;
    }
    Map<String, String> sorted = new TreeMap<>(Bytewise.ORDER);
    try (JsonParser parser = JSON.createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return;
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String key = parser.currentName();
        if (parser.nextToken() == JsonToken.VALUE_STRING) {
          sorted.put(key, parser.getText());
        } else {
          parser.skipChildren();
        }
      }
    }
    if (sorted.isEmpty()) {
      return;
    }
    json.writeObjectFieldStart(field);
    for (Map.Entry<String, String> entry : sorted.entrySet()) {
      json.writeStringField(entry.getKey(), entry.getValue());
    }
    json.writeEndObject();
  }
}
