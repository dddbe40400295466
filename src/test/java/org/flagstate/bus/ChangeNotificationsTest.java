package org.flagstate.bus;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.flagstate.registry.ReferenceGrammar;
import org.flagstate.testsupport.Seeds;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How an {@link IndexChanged} is cut into PostgreSQL NOTIFY payloads and read back. */
class ChangeNotificationsTest {

  /** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
  static final int NOTIFY_LIMIT = 8000;

  static List<String> names(int count, String prefix) {
    return IntStream.range(0, count).mapToObj(i -> prefix + i).toList();
  }

  /** The change the payloads carry together: repositories concatenated, events summed. */
  static IndexChanged parseAll(List<String> payloads) {
    List<String> repositories = new ArrayList<>();
    int events = 0;
    long committedAt = -1;
    for (String payload : payloads) {
      IndexChanged part = ChangeNotifications.parse(payload);
      repositories.addAll(part.repositories());
      events += part.eventsApplied();
      assertThat(committedAt == -1 || committedAt == part.committedAtMillis())
          .as("every payload carries the same commit time")
          .isTrue();
      committedAt = part.committedAtMillis();
    }
    return new IndexChanged(repositories, events, committedAt);
  }

  @Test
  void anEmptyChangeIsOnePayload() {
    List<String> payloads = ChangeNotifications.payloads(new IndexChanged(List.of(), 3, 1234L));
    assertThat(payloads).hasSize(1);
    assertThat(new JsonObject(payloads.get(0)))
        .isEqualTo(
            new JsonObject("{\"repositories\":[],\"eventsApplied\":3,\"committedAt\":1234}"));
    assertThat(ChangeNotifications.parse(payloads.get(0)))
        .isEqualTo(new IndexChanged(List.of(), 3, 1234L));
  }

  @Test
  void aSmallChangeIsOnePayloadWithEverything() {
    IndexChanged change =
        new IndexChanged(List.of("flatpak/hello", "multi/oci"), 2, 1_700_000_000_123L);
    List<String> payloads = ChangeNotifications.payloads(change);
    assertThat(payloads)
        .containsExactly(
            "{\"repositories\":[\"flatpak/hello\",\"multi/oci\"],\"eventsApplied\":2,\"committedAt\":1700000000123}");
    assertThat(ChangeNotifications.parse(payloads.get(0))).isEqualTo(change);
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "49, 1", "50, 1", "51, 2", "99, 2", "100, 2", "101, 3", "250, 5", "1001, 21"})
  void cutsFiftyRepositoriesPerPayload(int repositories, int expectedPayloads) {
    IndexChanged change = new IndexChanged(names(repositories, "r/"), 7, 99L);
    List<String> payloads = ChangeNotifications.payloads(change);
    assertThat(payloads).hasSize(expectedPayloads);
    for (int i = 0; i < payloads.size(); i++) {
      IndexChanged part = ChangeNotifications.parse(payloads.get(i));
      assertThat(part.repositories())
          .isEqualTo(change.repositories().subList(i * 50, Math.min(repositories, i * 50 + 50)));
      assertThat(part.eventsApplied()).as("events of payload %d", i).isEqualTo(i == 0 ? 7 : 0);
      assertThat(part.committedAtMillis()).isEqualTo(99L);
    }
    assertThat(parseAll(payloads)).isEqualTo(change);
  }

  @Test
  void readsAPayloadWithoutEventsAsZero() {
    assertThat(ChangeNotifications.parse("{\"repositories\":[\"a\"],\"committedAt\":5}"))
        .isEqualTo(new IndexChanged(List.of("a"), 0, 5L));
  }

  @Test
  void payloadsOfHundredCharacterNamesStayUnderTheNotifyLimit() {
    List<String> repositories =
        IntStream.range(0, 120).mapToObj(i -> String.format("%03d/", i) + "a".repeat(96)).toList();
    List<String> payloads =
        ChangeNotifications.payloads(
            new IndexChanged(repositories, Integer.MAX_VALUE, Long.MAX_VALUE));
    assertThat(payloads).hasSize(3);
    for (String payload : payloads) {
      assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThan(NOTIFY_LIMIT);
    }
  }

  /**
   * A reconciliation that removes many repositories with long names (the grammar allows 255
   * characters) makes one change of all of them: 50 such names are about 13 kB, which pg_notify
   * refuses ("payload string too long"), so the whole transaction, removal included, fails, and the
   * next reconciliation fails the same way.
   */
  @Test
  void payloadsOfTheLongestNamesStayUnderTheNotifyLimit() {
    List<String> repositories =
        IntStream.range(0, 120)
            .mapToObj(
                i -> String.format("%03d/", i) + "a".repeat(ReferenceGrammar.MAX_NAME_LENGTH - 4))
            .toList();
    assertThat(repositories).allMatch(ReferenceGrammar::isName);
    List<String> payloads = ChangeNotifications.payloads(new IndexChanged(repositories, 1, 1L));
    for (String payload : payloads) {
      assertThat(payload.getBytes(StandardCharsets.UTF_8).length).isLessThan(NOTIFY_LIMIT);
    }
    assertThat(parseAll(payloads)).isEqualTo(new IndexChanged(repositories, 1, 1L));
  }

  /** Random changes of valid names of up to 150 characters round-trip and stay under the limit. */
  @RepeatedTest(100)
  void randomChangesRoundTrip(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    int count = random.nextInt(random.nextBoolean() ? 10 : 400);
    List<String> repositories = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int length = 1 + random.nextInt(random.nextInt(8) == 0 ? 150 : 30);
      StringBuilder name = new StringBuilder();
      while (name.length() < length) {
        name.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
        if (name.length() < length - 2 && random.nextInt(8) == 0) {
          name.append("/._-".charAt(random.nextInt(4)));
        }
      }
      assertThat(ReferenceGrammar.isName(name.toString())).as("seed %d: %s", seed, name).isTrue();
      repositories.add(name.toString());
    }
    IndexChanged change =
        new IndexChanged(repositories, random.nextInt(10_000), random.nextLong() & Long.MAX_VALUE);
    List<String> payloads = ChangeNotifications.payloads(change);
    assertThat(payloads).as("seed %d", seed).hasSize(Math.max(1, (count + 49) / 50));
    assertThat(parseAll(payloads)).as("seed %d", seed).isEqualTo(change);
    assertThat(ChangeNotifications.parse(payloads.get(0)).eventsApplied())
        .isEqualTo(change.eventsApplied());
    for (String payload : payloads) {
      assertThat(payload.getBytes(StandardCharsets.UTF_8).length)
          .as("seed %d", seed)
          .isLessThan(NOTIFY_LIMIT);
    }
  }
}
