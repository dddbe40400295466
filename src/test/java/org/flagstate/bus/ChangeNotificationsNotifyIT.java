package org.flagstate.bus;

import static org.assertj.core.api.Assertions.assertThatCode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.stream.IntStream;
import org.flagstate.registry.ReferenceGrammar;
import org.flagstate.testsupport.TestDatabase;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The payloads of {@link ChangeNotifications} as PostgreSQL's pg_notify (what IndexWriter runs)
 * takes them.
 */
class ChangeNotificationsNotifyIT {

  static String database;

  @BeforeAll
  static void createDatabase() {
    database = TestDatabase.createDatabase();
  }

  /**
   * Sends every payload of a change of {@code repositories} in one transaction, as IndexWriter
   * does.
   */
  static void notifyAll(List<String> repositories) throws Exception {
    try (Connection connection = TestDatabase.connect(database)) {
      connection.setAutoCommit(false);
      try (PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
        for (String payload : ChangeNotifications.payloads(new IndexChanged(repositories, 1, 1L))) {
          notify.setString(1, ChangeNotifications.CHANNEL);
          notify.setString(2, payload);
          notify.executeQuery().close();
        }
      }
      connection.commit();
    }
  }

  @Test
  void aChangeOfManyOrdinaryNamesIsNotified() {
    List<String> repositories =
        IntStream.range(0, 500).mapToObj(i -> "group" + i % 7 + "/repository-" + i).toList();
    assertThatCode(() -> notifyAll(repositories)).doesNotThrowAnyException();
  }

  @Test
  void aChangeOfManyLongestNamesIsNotified() {
    List<String> repositories =
        IntStream.range(0, 60)
            .mapToObj(
                i -> String.format("%03d/", i) + "a".repeat(ReferenceGrammar.MAX_NAME_LENGTH - 4))
            .toList();
    assertThatCode(() -> notifyAll(repositories)).doesNotThrowAnyException();
  }
}
