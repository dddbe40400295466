package org.flagstate.api;

import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.flagstate.http.Bytewise;
import org.flagstate.search.TaggedNames;
import org.flagstate.search.TextMatches;

/**
 * Every repository with tags, grouped by what a search without text can tell apart: its namespace,
 * its tokens, the tokens all its images share and, when those differ, the token set of each image.
 * Repositories of a registry share a few such groups (20,000 repositories made 130 in the 100k
 * bench), so the counts of any filter combination are a walk over the groups instead of a pass over
 * every matching row (30-45 ms for a filter most repositories pass at 20,000). Read once per index
 * generation and kept in the node's search memo, with the group of every repository: a text's
 * matches ({@link TextMatches}) are filtered, counted and paged through by their groups too, so a
 * search with a text reads from SQL only its matches (once per text) and its page's rows.
 *
 * <p>The matching here is {@link ApiReader}'s SQL restated; {@code SameImageFiltersIT} and {@code
 * FacetGroupsIT} hold the two to the same answers.
 *
 * @param lastRemovalMillis when a repository last left the index (0: never), the earliest last
 *     change of any match set
 * @param tooMany true when the index has more groups than were to be kept (or they would take too
 *     much of the memo): none are, and counts are made in SQL
 * @param members which group each repository is in
 */
record FacetGroups(List<Group> groups, long lastRemovalMillis, boolean tooMany, Members members) {

  /** The most groups kept by default; a more varied index is counted in SQL. */
  static final int MAX_GROUPS = 4_096;

  /**
   * The groups, at most {@code $1} (one more than are kept, so that one more says "too many"), each
   * with how many repositories it has and the newest {@code changed_at} among them, in
   * milliseconds, and their ids, names and change times; and, in a row with a null namespace, when
   * a repository last left the index.
   */
  static final String SQL =
      """
      select g.namespace, g.namespaced,
             array(select f.token from facet_token f where f.id = any(g.tokens)),
             array(select f.token from facet_token f where f.id = any(g.common_tokens)),
             g.images, g.n, (extract(epoch from g.newest) * 1000)::bigint, g.ids, g.names, g.changed
      from (select case when strpos(t.name, '/') > 0 then split_part(t.name, '/', 1) else '' end as namespace,
                   strpos(t.name, '/') > 0 as namespaced, t.tokens,
                   t.common_tokens,
                   case when t.tokens <> t.common_tokens
                        then (select jsonb_agg(i.tokens order by i.tokens) from repository_image i
                              where i.repository_id = t.id) end as images,
                   count(*) as n, max(t.changed_at) as newest, array_agg(t.id) as ids,
                   array_agg(t.name) as names,
                   array_agg((extract(epoch from t.changed_at) * 1000)::bigint) as changed
            from tagged_repository t group by 1, 2, 3, 4, 5 limit $1) g
      union all
      select null, null, null, null, null, null, (extract(epoch from last_removal_at) * 1000)::bigint,
             null, null, null
      from index_state""";

  /**
   * Repositories alike for every search without text.
   *
   * @param namespace the first component of their names; empty when they have one component only
   *     (all such repositories are alike: no namespace filter matches them)
   * @param images each image's token set, or empty when all have the same ({@code tokens})
   */
  record Group(
      String namespace,
      boolean namespaced,
      Set<String> tokens,
      Set<String> commonTokens,
      List<Set<String>> images,
      long repositories,
      long newestMillis) {

    /** About what the group takes of the heap besides its tokens' strings, shared by all. */
    long bytes() {
      long references = tokens.size() + commonTokens.size();
      for (Set<String> image : images) {
        references += image.size();
      }
      return 160 + 2L * namespace.length() + 24 * references;
    }
  }

  /** The groups of {@link #SQL}'s rows; none and {@code tooMany} past {@code maxGroups}. */
  static FacetGroups of(RowSet<Row> rows, int maxGroups) {
    // one String per token, however many groups have it
    Map<String, String> shared = new HashMap<>();
    List<Group> groups = new ArrayList<>();
    List<Long[]> ids = new ArrayList<>();
    List<String[]> names = new ArrayList<>();
    List<Long[]> changed = new ArrayList<>();
    long lastRemoval = 0;
    for (Row row : rows) {
      if (row.getString(0) == null) {
        lastRemoval = row.getLong(6) == null ? 0 : row.getLong(6);
        continue;
      }
      List<Set<String>> images = new ArrayList<>();
      Object imageSets = row.getValue(4);
      if (imageSets instanceof JsonArray array) {
        for (Object image : array) {
          images.add(
              tokenSet(((JsonArray) image).stream().map(String.class::cast).toList(), shared));
        }
      }
      groups.add(
          new Group(
              row.getString(0),
              row.getBoolean(1),
              tokenSet(Arrays.asList(row.getArrayOfStrings(2)), shared),
              tokenSet(Arrays.asList(row.getArrayOfStrings(3)), shared),
              List.copyOf(images),
              row.getLong(5),
              row.getLong(6) == null ? 0 : row.getLong(6)));
      ids.add(row.getArrayOfLongs(7));
      names.add(row.getArrayOfStrings(8));
      changed.add(row.getArrayOfLongs(9));
    }
    if (groups.size() > maxGroups) {
      return new FacetGroups(List.of(), lastRemoval, false, Members.NONE).none();
    }
    return new FacetGroups(
        List.copyOf(groups), lastRemoval, false, Members.of(ids, names, changed));
  }

  /** No groups, and {@code tooMany}: what is remembered when the groups are not kept. */
  FacetGroups none() {
    return new FacetGroups(List.of(), lastRemovalMillis, true, Members.NONE);
  }

  /**
   * Every repository with tags in bytewise name order, each at its place: its id, name (UTF-8,
   * packed with the others), last change and group; and its place by id. A text's matches ({@link
   * TextMatches}, ids in ranked order) are filtered, counted and put in name order through them.
   */
  static final class Members {

    static final Members NONE = new Members(new long[0], new String[0], new long[0], new int[0]);

    private final TaggedNames names;
    private final long[] changedMillis;
    private final int[] groups;

    /** The repositories in name order, their last changes and groups. */
    Members(long[] ids, String[] names, long[] changedMillis, int[] groups) {
      this.names = new TaggedNames(ids, names);
      this.changedMillis = changedMillis;
      this.groups = groups;
    }

    /** The members of each group, by the group's index: their ids, names and last changes. */
    static Members of(List<Long[]> ids, List<String[]> names, List<Long[]> changed) {
      record Member(long id, String name, long changedMillis, int group) {}
      List<Member> all = new ArrayList<>();
      for (int group = 0; group < ids.size(); group++) {
        for (int i = 0; i < ids.get(group).length; i++) {
          Long change = changed.get(group)[i];
          all.add(
              new Member(
                  ids.get(group)[i], names.get(group)[i], change == null ? 0 : change, group));
        }
      }
      all.sort(Comparator.comparing(Member::name, Bytewise.ORDER));
      return new Members(
          all.stream().mapToLong(Member::id).toArray(),
          all.stream().map(Member::name).toArray(String[]::new),
          all.stream().mapToLong(Member::changedMillis).toArray(),
          all.stream().mapToInt(Member::group).toArray());
    }

    /** How many repositories had tags when the groups were read. */
    int size() {
      return names.size();
    }

    /** The place of the repository with {@code id}; -1 when it had no tags when they were read. */
    int placeOf(long id) {
      return names.placeOf(id);
    }

    long id(int place) {
      return names.id(place);
    }

    String name(int place) {
      return names.name(place);
    }

    long changedMillis(int place) {
      return changedMillis[place];
    }

    int group(int place) {
      return groups[place];
    }

    /**
     * The first place whose name follows {@code after}; 0 when {@code after} is null, {@link
     * #size()} when none does.
     */
    int firstAfter(String after) {
      return names.firstAfter(after);
    }

    /** About what these take of the heap: the names, and per repository two more array slots. */
    long bytes() {
      return 64 + names.bytes() + (8L + 4) * changedMillis.length;
    }
  }

  private static Set<String> tokenSet(Collection<String> tokens, Map<String, String> shared) {
    return Set.copyOf(tokens.stream().map(token -> shared.computeIfAbsent(token, t -> t)).toList());
  }

  /**
   * About what the groups take of the heap: each group, each distinct token once, and which group
   * each repository is in.
   */
  long bytes() {
    Set<String> tokens = Collections.newSetFromMap(new IdentityHashMap<>());
    long bytes = 64 + members.bytes();
    for (Group group : groups) {
      bytes += group.bytes();
      tokens.addAll(group.tokens());
      tokens.addAll(group.commonTokens());
      group.images().forEach(tokens::addAll);
    }
    for (String token : tokens) {
      bytes += 48 + 2L * token.length();
    }
    return bytes;
  }

  /**
   * The exact counts of {@code search}'s match set, which has no text: the repositories of the
   * groups whose namespace is one of its namespaces (if any), that have a token of each filter and,
   * with two filters or more, an image that has them all.
   */
  MatchSetCounts count(RepositorySearch search) {
    boolean[] passing = passing(search);
    long[] repositories = new long[groups.size()];
    long newest = lastRemovalMillis;
    for (int g = 0; g < groups.size(); g++) {
      if (passing[g]) {
        repositories[g] = groups.get(g).repositories();
        newest = Math.max(newest, groups.get(g).newestMillis());
      }
    }
    return tally(repositories, newest);
  }

  /**
   * The places ({@link Members}) of the text's {@code matches} that pass {@code search}'s other
   * filters ({@code passing}, of {@link #passing}), in name order. A match that had no tags when
   * the groups were read (it entered the index since) is left out.
   */
  int[] places(TextMatches matches, boolean[] passing) {
    int[] places = new int[matches.size()];
    int kept = 0;
    for (int i = 0; i < matches.size(); i++) {
      int place = members.placeOf(matches.id(i));
      if (place >= 0 && passing[members.group(place)]) {
        places[kept++] = place;
      }
    }
    places = Arrays.copyOf(places, kept);
    Arrays.sort(places);
    return places;
  }

  /** The exact counts of the repositories at {@code places} ({@link Members}). */
  MatchSetCounts count(int[] places) {
    long[] repositories = new long[groups.size()];
    long newest = lastRemovalMillis;
    for (int place : places) {
      repositories[members.group(place)]++;
      newest = Math.max(newest, members.changedMillis(place));
    }
    return tally(repositories, newest);
  }

  /**
   * Which groups pass {@code search}'s filters besides its text, by index: those whose namespace is
   * one of its namespaces (if any), that have a token of each filter and, with two filters or more,
   * an image that has them all.
   */
  boolean[] passing(RepositorySearch search) {
    List<Set<String>> filters =
        search.imageFilterTokens().stream().map(Set::<String>copyOf).toList();
    boolean[] passing = new boolean[groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      passing[g] = matches(groups.get(g), search.namespaces(), filters);
    }
    return passing;
  }

  /** The counts of a match set with {@code repositories} of each group, by the group's index. */
  private MatchSetCounts tally(long[] repositories, long newestMillis) {
    Map<String, Map<String, Long>> byFacet = new LinkedHashMap<>();
    for (String facet : MatchSetCounts.FACETS) {
      byFacet.put(facet, new TreeMap<>(Bytewise.ORDER));
    }
    long total = 0;
    for (int g = 0; g < groups.size(); g++) {
      Group group = groups.get(g);
      long n = repositories[g];
      if (n == 0) {
        continue;
      }
      total += n;
      for (String token : group.tokens()) {
        int colon = token.indexOf(':');
        Map<String, Long> values = byFacet.get(token.substring(0, Math.max(colon, 0)));
        if (colon > 0 && values != null) {
          values.merge(token.substring(colon + 1), n, Long::sum);
        }
      }
      if (group.namespaced()) {
        byFacet.get("namespace").merge(group.namespace(), n, Long::sum);
      }
    }
    byFacet.replaceAll((facet, counts) -> Collections.unmodifiableMap(counts));
    return new MatchSetCounts(Collections.unmodifiableMap(byFacet), false, total, newestMillis);
  }

  private static boolean matches(Group group, Set<String> namespaces, List<Set<String>> filters) {
    if (!namespaces.isEmpty() && !(group.namespaced() && namespaces.contains(group.namespace()))) {
      return false;
    }
    for (Set<String> filter : filters) {
      if (!overlaps(group.tokens(), filter)) {
        return false;
      }
    }
    if (filters.size() < 2) {
      return true;
    }
    // as in ApiReader: with every filter but one met by the tokens all images share, the image
    // that meets the last one meets them all
    long missed = filters.stream().filter(f -> !overlaps(group.commonTokens(), f)).count();
    return missed <= 1
        || group.images().stream()
            .anyMatch(image -> filters.stream().allMatch(f -> overlaps(image, f)));
  }

  private static boolean overlaps(Set<String> tokens, Set<String> filter) {
    for (String token : filter) {
      if (tokens.contains(token)) {
        return true;
      }
    }
    return false;
  }
}
