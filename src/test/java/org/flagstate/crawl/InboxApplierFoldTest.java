package org.flagstate.crawl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.flagstate.inbox.RegistryEvent;
import org.flagstate.inbox.RegistryEvent.Action;
import org.flagstate.testsupport.Seeds;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@link InboxApplier#fold}: a repository's tags after its pending registry events, applied in
 * order.
 */
class InboxApplierFoldTest {

  static final String A = digest('a');
  static final String B = digest('b');
  static final String C = digest('c');
  static final String OCI = "application/vnd.oci.image.manifest.v1+json";

  static int ids;

  static String digest(char hex) {
    return "sha256:" + String.valueOf(hex).repeat(64);
  }

  static RegistryEvent push(String tag, String digest) {
    return new RegistryEvent(
        "e" + ids++, "repo", Action.PUSH, digest, tag, OCI, "2024-01-01T00:00:00Z");
  }

  static RegistryEvent deleteTag(String tag) {
    return new RegistryEvent("e" + ids++, "repo", Action.DELETE, null, tag, null, null);
  }

  static RegistryEvent deleteDigest(String digest) {
    return new RegistryEvent("e" + ids++, "repo", Action.DELETE, digest, null, null, null);
  }

  @Test
  void noEventsLeaveTheTagsAsTheyAre() {
    assertThat(InboxApplier.fold(Map.of("latest", A, "v1", B), List.of()))
        .isEqualTo(Map.of("latest", A, "v1", B));
    assertThat(InboxApplier.fold(Map.of(), List.of())).isEmpty();
  }

  @Test
  void aPushByTagAddsTheTag() {
    assertThat(InboxApplier.fold(Map.of(), List.of(push("latest", A))))
        .isEqualTo(Map.of("latest", A));
  }

  @Test
  void aPushByTagMovesAnExistingTagAndLeavesTheOthers() {
    assertThat(InboxApplier.fold(Map.of("latest", A, "v1", A), List.of(push("latest", B))))
        .isEqualTo(Map.of("latest", B, "v1", A));
  }

  @Test
  void aTaglessPushChangesNothing() {
    // a multi-arch push sends each child manifest first, without a tag
    assertThat(InboxApplier.fold(Map.of("latest", A), List.of(push(null, B), push(null, C))))
        .isEqualTo(Map.of("latest", A));
  }

  @Test
  void aMultiArchPushTagsOnlyTheList() {
    assertThat(
            InboxApplier.fold(Map.of(), List.of(push(null, A), push(null, B), push("latest", C))))
        .isEqualTo(Map.of("latest", C));
  }

  @Test
  void aDeleteByTagRemovesOnlyThatTag() {
    assertThat(InboxApplier.fold(Map.of("latest", A, "v1", A), List.of(deleteTag("latest"))))
        .isEqualTo(Map.of("v1", A));
  }

  @Test
  void aDeleteByDigestRemovesEveryTagPointingAtIt() {
    assertThat(
            InboxApplier.fold(
                Map.of("latest", A, "v1", A, "v2", B, "v3", A), List.of(deleteDigest(A))))
        .isEqualTo(Map.of("v2", B));
  }

  @Test
  void deletesOfUnknownTagsAndDigestsAreHarmless() {
    assertThat(InboxApplier.fold(Map.of("latest", A), List.of(deleteTag("nope"), deleteDigest(C))))
        .isEqualTo(Map.of("latest", A));
  }

  @Test
  void theRegistrysDeleteByDigestSequenceEmptiesTheRepository() {
    // distribution sends the delete by digest, then one delete per tag that pointed at it
    assertThat(
            InboxApplier.fold(
                Map.of("latest", A, "v1", A),
                List.of(deleteDigest(A), deleteTag("latest"), deleteTag("v1"))))
        .isEmpty();
  }

  @Test
  void orderMatters() {
    Map<String, String> current = Map.of("latest", A);
    assertThat(InboxApplier.fold(current, List.of(push("latest", B), deleteTag("latest"))))
        .isEmpty();
    assertThat(InboxApplier.fold(current, List.of(deleteTag("latest"), push("latest", B))))
        .isEqualTo(Map.of("latest", B));
    assertThat(InboxApplier.fold(current, List.of(push("v1", B), deleteDigest(B))))
        .isEqualTo(Map.of("latest", A));
    assertThat(InboxApplier.fold(current, List.of(deleteDigest(B), push("v1", B))))
        .isEqualTo(Map.of("latest", A, "v1", B));
    assertThat(
            InboxApplier.fold(
                current, List.of(push("latest", B), push("latest", C), push("latest", A))))
        .isEqualTo(Map.of("latest", A));
  }

  @Test
  void aDeleteByDigestOnlyRemovesTagsPointingAtItAtThatMoment() {
    // v1 is moved away from A before A is deleted, and latest is moved onto A after: both survive
    assertThat(
            InboxApplier.fold(
                Map.of("v1", A, "v2", A),
                List.of(push("v1", B), deleteDigest(A), push("latest", A))))
        .isEqualTo(Map.of("v1", B, "latest", A));
  }

  @Test
  void theCurrentTagsAreNotModified() {
    Map<String, String> current = new HashMap<>(Map.of("latest", A));
    Map<String, String> folded =
        InboxApplier.fold(current, List.of(push("latest", B), deleteDigest(A)));
    assertThat(current).isEqualTo(Map.of("latest", A));
    assertThat(folded).isEqualTo(Map.of("latest", B));
  }

  /**
   * Random event sequences against a model written the other way round: a tag's final digest is the
   * one its last push gave it (or its current one), and it survives unless a later event deletes
   * that tag or that digest. Folding in two halves gives the same as folding at once.
   */
  @RepeatedTest(200)
  void randomSequencesAgreeWithTheModel(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    List<String> tags = List.of("latest", "v1", "v2", "stable", "x");
    List<String> digests = List.of(A, B, C, digest('d'));
    Map<String, String> current = new HashMap<>();
    for (String tag : tags) {
      if (random.nextInt(3) == 0) {
        current.put(tag, digests.get(random.nextInt(digests.size())));
      }
    }
    List<RegistryEvent> events = new ArrayList<>();
    int count = random.nextInt(25);
    for (int i = 0; i < count; i++) {
      String tag = tags.get(random.nextInt(tags.size()));
      String digest = digests.get(random.nextInt(digests.size()));
      events.add(
          switch (random.nextInt(4)) {
            case 0 -> push(tag, digest);
            case 1 -> push(null, digest);
            case 2 -> deleteTag(tag);
            default -> deleteDigest(digest);
          });
    }

    Map<String, String> expected = model(current, events, tags);
    assertThat(InboxApplier.fold(current, events))
        .as("seed %d, current %s, events %s", seed, current, events)
        .isEqualTo(expected);
    int cut = events.isEmpty() ? 0 : random.nextInt(events.size() + 1);
    assertThat(
            InboxApplier.fold(
                InboxApplier.fold(current, events.subList(0, cut)),
                events.subList(cut, events.size())))
        .as("seed %d, folded in two at %d", seed, cut)
        .isEqualTo(expected);
  }

  /** Per tag, backwards from its last push. */
  static Map<String, String> model(
      Map<String, String> current, List<RegistryEvent> events, List<String> tags) {
    Map<String, String> result = new HashMap<>();
    for (String tag : tags) {
      int from = 0;
      String digest = current.get(tag);
      for (int i = events.size() - 1; i >= 0; i--) {
        RegistryEvent e = events.get(i);
        if (e.isPush() && tag.equals(e.tag())) {
          from = i + 1;
          digest = e.digest();
          break;
        }
      }
      if (digest == null) {
        continue;
      }
      boolean removed = false;
      for (RegistryEvent e : events.subList(from, events.size())) {
        if (!e.isPush() && (tag.equals(e.tag()) || e.tag() == null && digest.equals(e.digest()))) {
          removed = true;
        }
      }
      if (!removed) {
        result.put(tag, digest);
      }
    }
    return result;
  }
}
