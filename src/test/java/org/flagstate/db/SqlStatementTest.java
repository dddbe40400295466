package org.flagstate.db;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Tuple;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.flagstate.testsupport.Seeds;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@link SqlStatement}: text and positional parameters grow together, and reach the pool as built.
 */
class SqlStatementTest {

  /** What a statement handed to the pool. */
  record Executed(String sql, List<Object> params) {}

  /** Executes {@code statement} against a pool that only records the SQL and the parameters. */
  static Executed execute(SqlStatement statement) {
    List<Executed> executed = new ArrayList<>();
    PreparedQuery<?> query =
        (PreparedQuery<?>)
            Proxy.newProxyInstance(
                SqlStatementTest.class.getClassLoader(),
                new Class<?>[] {PreparedQuery.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("execute")
                      && args != null
                      && args.length == 1
                      && args[0] instanceof Tuple t) {
                    List<Object> params = new ArrayList<>();
                    for (int i = 0; i < t.size(); i++) {
                      params.add(t.getValue(i));
                    }
                    executed.add(new Executed(null, params));
                    return Future.succeededFuture();
                  }
                  throw new UnsupportedOperationException(method.toString());
                });
    List<String> sql = new ArrayList<>();
    Pool pool =
        (Pool)
            Proxy.newProxyInstance(
                SqlStatementTest.class.getClassLoader(),
                new Class<?>[] {Pool.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("preparedQuery") && args.length == 1) {
                    sql.add((String) args[0]);
                    return query;
                  }
                  throw new UnsupportedOperationException(method.toString());
                });
    assertThat(statement.execute(pool).succeeded()).isTrue();
    assertThat(sql).hasSize(1);
    assertThat(executed).hasSize(1);
    return new Executed(sql.get(0), executed.get(0).params());
  }

  @Test
  void anEmptyStatementHasNoTextAndNoParameters() {
    SqlStatement s = new SqlStatement();
    assertThat(s.toString()).isEmpty();
    assertThat(execute(s)).isEqualTo(new Executed("", List.of()));
  }

  @Test
  void appendsTextAsGivenAndReturnsItself() {
    SqlStatement s = new SqlStatement();
    assertThat(s.append("select ")).isSameAs(s);
    s.append(1).append(" + ").append(2L).append(' ').append((Object) null);
    assertThat(s.toString()).isEqualTo("select 1 + 2 null");
  }

  @Test
  void numbersParametersFromOneInOrder() {
    SqlStatement s = new SqlStatement();
    assertThat(s.param("a")).isEqualTo("$1");
    assertThat(s.param(42)).isEqualTo("$2");
    assertThat(s.param(null)).isEqualTo("$3");
    assertThat(s.param("a")).as("an equal value is a new parameter").isEqualTo("$4");
    assertThat(s.toString()).as("param adds no text").isEmpty();
    Executed executed = execute(s);
    assertThat(executed.params()).containsExactly("a", 42, null, "a");
  }

  @Test
  void parametersMayBeUsedInAnyOrderOfTheText() {
    SqlStatement s = new SqlStatement();
    String first = s.param("x");
    String second = s.param("y");
    s.append("select ").append(second).append(", ").append(first).append(", ").append(second);
    assertThat(execute(s)).isEqualTo(new Executed("select $2, $1, $2", List.of("x", "y")));
  }

  @Test
  void collectionsBecomeTextArraysInTheirIterationOrder() {
    SqlStatement s = new SqlStatement();
    s.append("select ")
        .append(s.param(List.of("b", "a", "b")))
        .append(", ")
        .append(s.param(new TreeSet<>(Set.of("z", "y"))))
        .append(", ")
        .append(s.param(List.of()));
    Executed executed = execute(s);
    assertThat(executed.sql()).isEqualTo("select $1, $2, $3");
    assertThat(executed.params()).hasSize(3);
    assertThat(executed.params().get(0)).isInstanceOf(String[].class);
    assertThat((String[]) executed.params().get(0)).containsExactly("b", "a", "b");
    assertThat((String[]) executed.params().get(1)).containsExactly("y", "z");
    assertThat((String[]) executed.params().get(2)).isEmpty();
  }

  @Test
  void inAddsAConditionOnlyForValues() {
    SqlStatement s = new SqlStatement().append("select 1 from t where true");
    assertThat(s.in("t.a", List.of())).isSameAs(s);
    assertThat(s.toString()).isEqualTo("select 1 from t where true");
    s.in("t.b", new LinkedHashSet<>(List.of("x", "y")));
    s.in("t.c", Set.of());
    s.in("t.d", List.of("z"));
    Executed executed = execute(s);
    assertThat(executed.sql())
        .isEqualTo("select 1 from t where true and t.b = any($1) and t.d = any($2)");
    assertThat(executed.params()).hasSize(2);
    assertThat((String[]) executed.params().get(0)).containsExactly("x", "y");
    assertThat((String[]) executed.params().get(1)).containsExactly("z");
  }

  @Test
  void numberingContinuesAcrossParamAndIn() {
    SqlStatement s =
        new SqlStatement().append("x = ").append(new SqlStatement().param("unrelated"));
    s.append(" and y = ").append(s.param("v")).in("z", List.of("w"));
    assertThat(s.toString())
        .as("another statement's numbering is its own")
        .isEqualTo("x = $1 and y = $1 and z = any($2)");
  }

  /**
   * Random mixes of text, parameters and conditions against a model of what the statement should
   * hold.
   */
  @RepeatedTest(100)
  void randomStatements(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    SqlStatement s = new SqlStatement();
    StringBuilder text = new StringBuilder();
    List<Object> params = new ArrayList<>();
    int operations = random.nextInt(40);
    for (int i = 0; i < operations; i++) {
      switch (random.nextInt(4)) {
        case 0 -> {
          String chunk = " t" + random.nextInt(1000);
          s.append(chunk);
          text.append(chunk);
        }
        case 1 -> {
          Object value =
              random.nextBoolean()
                  ? (Object) ("v" + random.nextInt(50))
                  : (Object) random.nextInt();
          params.add(value);
          String placeholder = s.param(value);
          assertThat(placeholder).as("seed %d", seed).isEqualTo("$" + params.size());
          if (random.nextBoolean()) {
            s.append(placeholder);
            text.append(placeholder);
          }
        }
        case 2 -> {
          List<String> values = new ArrayList<>();
          for (int v = random.nextInt(4); v > 0; v--) {
            values.add("x" + random.nextInt(10));
          }
          s.in("c" + i, values);
          if (!values.isEmpty()) {
            params.add(values.toArray(String[]::new));
            text.append(" and c").append(i).append(" = any($").append(params.size()).append(")");
          }
        }
        default -> {
          List<String> values = List.of("p" + i, "q" + i);
          params.add(values.toArray(String[]::new));
          String placeholder = s.param(values);
          assertThat(placeholder).as("seed %d", seed).isEqualTo("$" + params.size());
          s.append(" = any(").append(placeholder).append(")");
          text.append(" = any(").append(placeholder).append(")");
        }
      }
    }
    assertThat(s.toString()).as("seed %d", seed).isEqualTo(text.toString());
    Executed executed = execute(s);
    assertThat(executed.sql()).as("seed %d", seed).isEqualTo(text.toString());
    assertThat(executed.params()).as("seed %d", seed).hasSize(params.size());
    for (int i = 0; i < params.size(); i++) {
      Object expected = params.get(i);
      Object actual = executed.params().get(i);
      if (expected instanceof String[] array) {
        assertThat(actual).as("seed %d: $%d", seed, i + 1).isInstanceOf(String[].class);
        assertThat(Arrays.asList((String[]) actual))
            .as("seed %d: $%d", seed, i + 1)
            .isEqualTo(Arrays.asList(array));
      } else {
        assertThat(actual).as("seed %d: $%d", seed, i + 1).isEqualTo(expected);
      }
    }
  }
}
