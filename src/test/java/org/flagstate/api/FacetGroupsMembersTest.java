package org.flagstate.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.flagstate.http.Bytewise;
import org.flagstate.testsupport.TestSeeds;
import org.junit.jupiter.api.Test;

/**
 * The index's repositories as the facet groups keep them, names packed as UTF-8: every place must
 * give back its id, name, last change and group, every id its place, and a cursor must land where a
 * walk in {@link Bytewise#ORDER} does. Seeded random names of ASCII, Latin-1, CJK and characters
 * outside the BMP (whose UTF-16 order differs from their byte order), some prefixes of others.
 */
class FacetGroupsMembersTest {

  private static final String[] PIECES = {
    "a", "b", "/", "-", "_", "z", "é", "ß", "日", "😀", "\uFFFD", "0"
  };

  @Test
  void placesIdsAndCursorsAgreeWithAWalkInBytewiseOrder() {
    long seed = TestSeeds.seed(FacetGroupsMembersTest.class);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      int groups = 1 + random.nextInt(4);
      List<Long[]> ids = new ArrayList<>();
      List<String[]> names = new ArrayList<>();
      List<Long[]> changed = new ArrayList<>();
      Set<String> distinct = new LinkedHashSet<>();
      List<String> all = new ArrayList<>();
      List<Long> allIds = new ArrayList<>();
      List<Long> allChanged = new ArrayList<>();
      List<Integer> allGroups = new ArrayList<>();
      for (int group = 0; group < groups; group++) {
        int size = random.nextInt(12);
        List<String> groupNames = new ArrayList<>();
        while (groupNames.size() < size) {
          String name = randomName(random);
          if (distinct.add(name)) {
            groupNames.add(name);
          }
        }
        Long[] groupIds = new Long[size];
        Long[] groupChanged = new Long[size];
        for (int i = 0; i < size; i++) {
          groupIds[i] = 1 + (long) all.size() * 7 + random.nextInt(7);
          groupChanged[i] = random.nextLong(1L << 41);
          all.add(groupNames.get(i));
          allIds.add(groupIds[i]);
          allChanged.add(groupChanged[i]);
          allGroups.add(group);
        }
        ids.add(groupIds);
        names.add(groupNames.toArray(String[]::new));
        changed.add(groupChanged);
      }
      FacetGroups.Members members = FacetGroups.Members.of(ids, names, changed);

      List<String> byName = new ArrayList<>(all);
      byName.sort(Bytewise.ORDER);
      assertThat(members.size()).isEqualTo(all.size());
      for (int place = 0; place < byName.size(); place++) {
        int i = all.indexOf(byName.get(place));
        assertThat(members.name(place)).as("seed %d", seed).isEqualTo(byName.get(place));
        assertThat(members.id(place)).isEqualTo(allIds.get(i));
        assertThat(members.changedMillis(place)).isEqualTo(allChanged.get(i));
        assertThat(members.group(place)).isEqualTo(allGroups.get(i));
        assertThat(members.placeOf(allIds.get(i))).isEqualTo(place);
      }
      assertThat(members.placeOf(0)).as("an id no repository has").isEqualTo(-1);
      for (int probe = 0; probe < 20; probe++) {
        String after =
            !byName.isEmpty() && random.nextBoolean()
                ? byName.get(random.nextInt(byName.size()))
                : randomName(random);
        int expected = 0;
        while (expected < byName.size()
            && Bytewise.ORDER.compare(byName.get(expected), after) <= 0) {
          expected++;
        }
        assertThat(members.firstAfter(after))
            .as("after %s (seed %d)", after, seed)
            .isEqualTo(expected);
      }
      assertThat(members.firstAfter(null)).isZero();
    }
  }

  private static String randomName(Random random) {
    StringBuilder name = new StringBuilder();
    int length = 1 + random.nextInt(6);
    for (int i = 0; i < length; i++) {
      name.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return name.toString();
  }
}
