package org.flagstate.index;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.flagstate.http.Bytewise;
import org.junit.jupiter.api.Test;

/** index-protocol.md §1, "Response": the shape and the total order of the index JSON. */
class IndexRendererTest {

  private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String REGISTRY = "https://registry.example.org/";

  private final IndexRenderer renderer = new IndexRenderer(REGISTRY);

  private static String digest(char c) {
    return "sha256:" + String.valueOf(c).repeat(64);
  }

  private static IndexReader.ImageRow image(String repository, String digest, List<String> tags) {
    return image(repository, digest, new JsonObject(), new JsonObject(), tags);
  }

  private static IndexReader.ImageRow image(
      String repository,
      String digest,
      JsonObject labels,
      JsonObject annotations,
      List<String> tags) {
    return new IndexReader.ImageRow(
        repository,
        digest,
        OCI_MANIFEST,
        "linux",
        "amd64",
        labels.encode(),
        annotations.encode(),
        tags);
  }

  private static IndexReader.ListMemberRow member(
      String repository,
      String listDigest,
      List<String> listTags,
      String digest,
      String architecture) {
    return new IndexReader.ListMemberRow(
        repository,
        listDigest,
        OCI_INDEX,
        listTags,
        digest,
        OCI_MANIFEST,
        "linux",
        architecture,
        "{}",
        "{}");
  }

  private static IndexReader.Matches matches(
      List<IndexReader.ImageRow> images, List<IndexReader.ListMemberRow> members) {
    return new IndexReader.Matches(images, members);
  }

  private String renderText(IndexReader.Matches matches) {
    return new String(renderer.render(matches).toByteArray(), StandardCharsets.UTF_8);
  }

  private JsonObject renderJson(IndexReader.Matches matches) {
    return new JsonObject(renderText(matches));
  }

  private static List<String> strings(JsonArray array, String field) {
    List<String> result = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      result.add(array.getJsonObject(i).getString(field));
    }
    return result;
  }

  @Test
  void emptyMatchesRenderRegistryAndAnEmptyResultsArray() {
    assertThat(renderText(matches(List.of(), List.of())))
        .isEqualTo("{\"Registry\":\"https://registry.example.org/\",\"Results\":[]}");
  }

  @Test
  void registryIsRenderedEvenWhenRelative() {
    String json =
        new String(
            new IndexRenderer("/").render(matches(List.of(), List.of())).toByteArray(),
            StandardCharsets.UTF_8);

    assertThat(new JsonObject(json).getString("Registry")).isEqualTo("/");
  }

  @Test
  void repositoryWithOnlyImagesHasAnEmptyListsArray() {
    JsonObject result =
        renderJson(matches(List.of(image("r", digest('a'), List.of("latest"))), List.of()))
            .getJsonArray("Results")
            .getJsonObject(0);

    assertThat(result.fieldNames()).containsExactly("Name", "Images", "Lists");
    assertThat(result.getJsonArray("Lists")).isEmpty();
  }

  @Test
  void repositoryWithOnlyListsHasAnEmptyImagesArray() {
    JsonObject result =
        renderJson(
                matches(
                    List.of(),
                    List.of(member("r", digest('l'), List.of("latest"), digest('a'), "amd64"))))
            .getJsonArray("Results")
            .getJsonObject(0);

    assertThat(result.fieldNames()).containsExactly("Name", "Images", "Lists");
    assertThat(result.getJsonArray("Images")).isEmpty();
  }

  @Test
  void repositoriesAreSortedBytewiseSoUpperCaseComesFirst() {
    JsonObject json =
        renderJson(
            matches(
                List.of(
                    image("b", digest('1'), List.of("t")),
                    image("a", digest('2'), List.of("t")),
                    image("B", digest('3'), List.of("t")),
                    image("a/b", digest('4'), List.of("t")),
                    image("a-b", digest('5'), List.of("t"))),
                List.of()));

    assertThat(strings(json.getJsonArray("Results"), "Name"))
        .containsExactly("B", "a", "a-b", "a/b", "b");
  }

  @Test
  void repositoriesAreSortedInUtf8ByteOrderNotUtf16Order() {
    String supplementary =
        "x\uD83D\uDE00"; // U+1F600: F0 9F 98 80 in UTF-8, but a surrogate D83D in UTF-16
    String privateUse = "x\uE000"; // EE 80 80
    String replacement = "x\uFFFD"; // EF BF BD
    String latin = "x\u00E9"; // C3 A9
    JsonObject json =
        renderJson(
            matches(
                List.of(
                    image(supplementary, digest('1'), List.of("t")),
                    image(replacement, digest('2'), List.of("t")),
                    image(privateUse, digest('3'), List.of("t")),
                    image(latin, digest('4'), List.of("t")),
                    image("xz", digest('5'), List.of("t"))),
                List.of()));

    assertThat(strings(json.getJsonArray("Results"), "Name"))
        .containsExactly("xz", latin, privateUse, replacement, supplementary);
  }

  @Test
  void bytewiseComparatorAgreesWithUtf8ByteComparison() {
    List<String> names =
        new ArrayList<>(List.of("x\uD83D\uDE00", "x\uFFFF", "x\uE000", "x", "xa", "X", "x\u0080"));
    List<String> byBytes = new ArrayList<>(names);
    byBytes.sort(
        (a, b) ->
            java.util.Arrays.compareUnsigned(
                a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));

    names.sort(Bytewise.ORDER);

    assertThat(names).isEqualTo(byBytes);
  }

  @Test
  void imagesAreSortedByDigest() {
    JsonObject json =
        renderJson(
            matches(
                List.of(
                    image("r", digest('c'), List.of("c")),
                    image("r", digest('a'), List.of("a")),
                    image("r", digest('b'), List.of("b"))),
                List.of()));

    JsonArray images = json.getJsonArray("Results").getJsonObject(0).getJsonArray("Images");
    assertThat(strings(images, "Digest")).containsExactly(digest('a'), digest('b'), digest('c'));
  }

  @Test
  void listsAreSortedByDigest() {
    JsonObject json =
        renderJson(
            matches(
                List.of(),
                List.of(
                    member("r", digest('z'), List.of("z"), digest('1'), "amd64"),
                    member("r", digest('m'), List.of("m"), digest('2'), "amd64"),
                    member("r", digest('b'), List.of("b"), digest('3'), "amd64"))));

    JsonArray lists = json.getJsonArray("Results").getJsonObject(0).getJsonArray("Lists");
    assertThat(strings(lists, "Digest")).containsExactly(digest('b'), digest('m'), digest('z'));
  }

  @Test
  void tagsAreSortedBytewise() {
    JsonObject json =
        renderJson(
            matches(
                List.of(image("r", digest('a'), List.of("v2", "latest", "V1", "1.0"))),
                List.of(
                    member(
                        "r",
                        digest('l'),
                        List.of("stable", "Beta", "alpha"),
                        digest('b'),
                        "amd64"))));

    JsonObject result = json.getJsonArray("Results").getJsonObject(0);
    assertThat(result.getJsonArray("Images").getJsonObject(0).getJsonArray("Tags").getList())
        .containsExactly("1.0", "V1", "latest", "v2");
    assertThat(result.getJsonArray("Lists").getJsonObject(0).getJsonArray("Tags").getList())
        .containsExactly("Beta", "alpha", "stable");
  }

  @Test
  void listMembersKeepTheGivenOrder() {
    String list = digest('l');
    JsonObject json =
        renderJson(
            matches(
                List.of(),
                List.of(
                    member("r", list, List.of("latest"), digest('c'), "s390x"),
                    member("r", list, List.of("latest"), digest('a'), "arm64"),
                    member("r", list, List.of("latest"), digest('b'), "amd64"))));

    JsonArray lists = json.getJsonArray("Results").getJsonObject(0).getJsonArray("Lists");
    assertThat(lists).hasSize(1);
    assertThat(strings(lists.getJsonObject(0).getJsonArray("Images"), "Digest"))
        .containsExactly(digest('c'), digest('a'), digest('b'));
  }

  @Test
  void listMemberImagesCarryNoTagsKey() {
    JsonObject json =
        renderJson(
            matches(
                List.of(),
                List.of(member("r", digest('l'), List.of("latest"), digest('a'), "amd64"))));

    JsonObject list =
        json.getJsonArray("Results").getJsonObject(0).getJsonArray("Lists").getJsonObject(0);
    assertThat(list.fieldNames()).containsExactly("Digest", "MediaType", "Tags", "Images");
    assertThat(list.getJsonArray("Images").getJsonObject(0).fieldNames())
        .containsExactly("Digest", "MediaType", "OS", "Architecture");
  }

  @Test
  void emptyLabelsAndAnnotationsAreOmitted() {
    JsonObject json =
        renderJson(matches(List.of(image("r", digest('a'), List.of("latest"))), List.of()));

    JsonObject image =
        json.getJsonArray("Results").getJsonObject(0).getJsonArray("Images").getJsonObject(0);
    assertThat(image.fieldNames()).doesNotContain("Labels", "Annotations");
  }

  @Test
  void labelsWithOnlyNonStringValuesAreOmitted() {
    JsonObject labels =
        new JsonObject().put("n", 1).put("b", true).put("o", new JsonObject()).putNull("z");
    JsonObject json =
        renderJson(
            matches(
                List.of(image("r", digest('a'), labels, new JsonObject(), List.of("t"))),
                List.of()));

    JsonObject image =
        json.getJsonArray("Results").getJsonObject(0).getJsonArray("Images").getJsonObject(0);
    assertThat(image.fieldNames()).doesNotContain("Labels");
  }

  @Test
  void nonStringLabelValuesAreLeftOutNextToStringOnes() {
    JsonObject labels = new JsonObject().put("num", 1).put("org.flatpak.ref", "app/x");
    JsonObject json =
        renderJson(
            matches(
                List.of(image("r", digest('a'), labels, new JsonObject(), List.of("t"))),
                List.of()));

    JsonObject image =
        json.getJsonArray("Results").getJsonObject(0).getJsonArray("Images").getJsonObject(0);
    assertThat(image.getJsonObject("Labels").getMap())
        .containsExactly(java.util.Map.entry("org.flatpak.ref", "app/x"));
  }

  @Test
  void labelAndAnnotationKeysAreSortedBytewise() {
    JsonObject labels =
        new JsonObject().put("z", "1").put("a", "2").put("B", "3").put("\u00E9", "4");
    JsonObject annotations = new JsonObject().put("y", "1").put("X", "2");
    JsonObject json =
        renderJson(
            matches(
                List.of(image("r", digest('a'), labels, annotations, List.of("t"))), List.of()));

    JsonObject image =
        json.getJsonArray("Results").getJsonObject(0).getJsonArray("Images").getJsonObject(0);
    assertThat(image.getJsonObject("Labels").fieldNames()).containsExactly("B", "a", "z", "\u00E9");
    assertThat(image.getJsonObject("Annotations").fieldNames()).containsExactly("X", "y");
  }

  @Test
  void imageObjectKeysComeInProtocolOrder() {
    JsonObject labels = new JsonObject().put("l", "1");
    JsonObject annotations = new JsonObject().put("a", "1");
    String text =
        renderText(
            matches(
                List.of(image("r", digest('a'), labels, annotations, List.of("latest"))),
                List.of()));

    assertThat(text)
        .isEqualTo(
            "{\"Registry\":\"https://registry.example.org/\",\"Results\":[{\"Name\":\"r\","
                + "\"Images\":[{\"Digest\":\""
                + digest('a')
                + "\",\"MediaType\":\""
                + OCI_MANIFEST
                + "\","
                + "\"OS\":\"linux\",\"Architecture\":\"amd64\",\"Annotations\":{\"a\":\"1\"},\"Labels\":{\"l\":\"1\"},"
                + "\"Tags\":[\"latest\"]}],\"Lists\":[]}]}");
  }

  @Test
  void listMemberKeysComeInProtocolOrder() {
    IndexReader.ListMemberRow row =
        new IndexReader.ListMemberRow(
            "r",
            digest('l'),
            OCI_INDEX,
            List.of("latest"),
            digest('a'),
            OCI_MANIFEST,
            "linux",
            "arm64",
            new JsonObject().put("l", "1").encode(),
            new JsonObject().put("a", "1").encode());
    JsonObject member =
        renderJson(matches(List.of(), List.of(row)))
            .getJsonArray("Results")
            .getJsonObject(0)
            .getJsonArray("Lists")
            .getJsonObject(0)
            .getJsonArray("Images")
            .getJsonObject(0);

    assertThat(member.fieldNames())
        .containsExactly("Digest", "MediaType", "OS", "Architecture", "Annotations", "Labels");
  }

  @Test
  void imagesAndListsOfOneRepositoryShareOneResult() {
    JsonObject json =
        renderJson(
            matches(
                List.of(image("r", digest('a'), List.of("v1"))),
                List.of(member("r", digest('l'), List.of("latest"), digest('b'), "amd64"))));

    assertThat(json.getJsonArray("Results")).hasSize(1);
  }

  @Test
  void identicalInputGivesIdenticalBytesWhateverTheRowOrder() {
    JsonObject labels1 = new JsonObject().put("b", "1").put("a", "2");
    JsonObject labels2 = new JsonObject().put("a", "2").put("b", "1");
    List<IndexReader.ListMemberRow> members =
        List.of(
            member("q", digest('l'), List.of("latest", "x"), digest('c'), "amd64"),
            member("q", digest('l'), List.of("latest", "x"), digest('d'), "arm64"));

    byte[] first =
        renderer
            .render(
                matches(
                    List.of(
                        image("r", digest('a'), labels1, new JsonObject(), List.of("b", "a")),
                        image("s", digest('b'), List.of("t"))),
                    members))
            .toByteArray();
    byte[] second =
        renderer
            .render(
                matches(
                    List.of(
                        image("s", digest('b'), List.of("t")),
                        image("r", digest('a'), labels2, new JsonObject(), List.of("a", "b"))),
                    members))
            .toByteArray();

    assertThat(second).isEqualTo(first);
  }
}
