package org.flagstate.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.flagstate.testsupport.Seeds;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * docker/distribution's reference grammar ({@code reference/regexp.go}) for repository names
 * without a host, tags and digests, with its length limits.
 */
class ReferenceGrammarTest {

  static final String HEX64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "a",
        "0",
        "hello",
        "flatpak/hello",
        "library/ubuntu",
        "a/b/c/d/e",
        "a.b",
        "a_b",
        "a__b",
        "a-b",
        "a---b",
        "a1-2.3_4__5",
        "my-org/my.app/v2",
        "0a/9z",
        "a.b.c",
        "x/y-z/w__v"
      })
  void acceptsNames(String name) {
    assertThat(ReferenceGrammar.isName(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "A",
        "Hello",
        "flatpak/Hello",
        "a/",
        "/a",
        "a//b",
        "a..b",
        "a.-b",
        "a-.b",
        "a._b",
        "a___b",
        "a_-b",
        "-a",
        "a-",
        "a_",
        "a.",
        ".a",
        "_a",
        "a b",
        "a:b",
        "a:5000/b",
        "a@b",
        "ä",
        "a/./b",
        "a/../b",
        "..",
        ".",
        "a\nb",
        "a\n",
        "a\0",
        "a%2Fb",
        "a+b",
        "a\\b",
        "localhost:5000/a"
      })
  void refusesNames(String name) {
    assertThat(ReferenceGrammar.isName(name)).isFalse();
  }

  @Test
  void limitsTheWholeNameTo255Characters() {
    assertThat(ReferenceGrammar.MAX_NAME_LENGTH).isEqualTo(255);
    assertThat(ReferenceGrammar.isName("a".repeat(255))).isTrue();
    assertThat(ReferenceGrammar.isName("a".repeat(256))).isFalse();
    String components = "abcdefg/".repeat(31) + "abcdefg"; // 255 characters, 32 components
    assertThat(components).hasSize(255);
    assertThat(ReferenceGrammar.isName(components)).isTrue();
    assertThat(ReferenceGrammar.isName(components + "h")).isFalse();
    assertThat(ReferenceGrammar.isName("a".repeat(10_000))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "latest",
        "v1",
        "v1.2.3",
        "1",
        "_",
        "_x",
        "A",
        "MASTER",
        "x86_64",
        "a-b",
        "a..b",
        "a--",
        "0.1-rc.2_build-3",
        "a_",
        "Z9."
      })
  void acceptsTags(String tag) {
    assertThat(ReferenceGrammar.isTag(tag)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        ".x",
        "-x",
        ".",
        "-",
        "a/b",
        "a:b",
        "a+b",
        "a b",
        "a@b",
        "ü",
        "a\n",
        "a\0",
        "a%20b",
        "sha256:" + HEX64
      })
  void refusesTags(String tag) {
    assertThat(ReferenceGrammar.isTag(tag)).isFalse();
  }

  @Test
  void limitsTagsTo128Characters() {
    assertThat(ReferenceGrammar.isTag("a".repeat(128))).isTrue();
    assertThat(ReferenceGrammar.isTag("_" + ".".repeat(127))).isTrue();
    assertThat(ReferenceGrammar.isTag("a".repeat(129))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sha256:" + HEX64,
        "sha512:" + HEX64 + HEX64,
        "sha256:0123456789abcdef0123456789abcdef",
        "sha256:0123456789ABCDEF0123456789ABCDEF",
        "SHA256:" + HEX64,
        "sha256+b64u:" + HEX64,
        "a.b-c_d:" + HEX64,
        "multihash+base58:" + HEX64,
        "a1:" + HEX64
      })
  void acceptsDigests(String digest) {
    assertThat(ReferenceGrammar.isDigest(digest)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "sha256",
        "sha256:",
        ":" + HEX64,
        "sha256:0123456789abcdef0123456789abcde",
        "sha256:g123456789abcdef0123456789abcdef",
        "1sha:" + HEX64,
        "sha-:" + HEX64,
        "sha--256:" + HEX64,
        "sha.1a:" + HEX64,
        "-sha:" + HEX64,
        "sha256:" + HEX64 + "\n",
        "sha256 :" + HEX64,
        "sha256::" + HEX64,
        "sha256:" + HEX64 + " ",
        "latest",
        "sha256@" + HEX64
      })
  void refusesDigests(String digest) {
    assertThat(ReferenceGrammar.isDigest(digest)).isFalse();
  }

  @Test
  void needsAtLeast32HexDigitsAndAtMost256CharactersInAll() {
    assertThat(ReferenceGrammar.isDigest("sha256:" + "a".repeat(32))).isTrue();
    assertThat(ReferenceGrammar.isDigest("x:" + "f".repeat(200))).isTrue();
    assertThat(ReferenceGrammar.isDigest("sha256:" + "a".repeat(31))).isFalse();
    assertThat(ReferenceGrammar.isDigest("sha256:" + "a".repeat(249))).isTrue(); // 256 characters
    assertThat(ReferenceGrammar.isDigest("sha256:" + "a".repeat(250))).isFalse();
  }

  /** Names built from the grammar's parts are names; each kind of damage makes them not names. */
  @RepeatedTest(100)
  void generatedNames(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      String name = name(random, 1 + random.nextInt(4));
      assertThat(ReferenceGrammar.isName(name))
          .as("seed %d: %s", seed, name)
          .isEqualTo(name.length() <= 255);
      if (name.length() > 250) {
        continue;
      }
      String damaged =
          switch (random.nextInt(8)) {
            case 0 -> name + "/";
            case 1 -> "/" + name;
            case 2 -> name + SEPARATORS[random.nextInt(SEPARATORS.length)];
            case 3 -> SEPARATORS[random.nextInt(SEPARATORS.length)] + name;
            case 4 -> insert(random, name, "ABCXYZ".charAt(random.nextInt(6)));
            case 5 -> insert(random, name, ":@ +%!~\\".charAt(random.nextInt(8)));
            case 6 -> name + "//" + component(random);
            default -> name + "._" + component(random);
          };
      assertThat(ReferenceGrammar.isName(damaged)).as("seed %d: %s", seed, damaged).isFalse();
    }
  }

  /**
   * The regular expressions against a hand-written parser of the same grammar, on random short
   * strings.
   */
  @RepeatedTest(50)
  void agreesWithAHandWrittenParser(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    String alphabet = "ab0._-/:A";
    for (int round = 0; round < 2000; round++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(9);
      for (int i = 0; i < length; i++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String s = text.toString();
      assertThat(ReferenceGrammar.isName(s))
          .as("seed %d: name %s", seed, s)
          .isEqualTo(parsesAsName(s));
      assertThat(ReferenceGrammar.isTag(s))
          .as("seed %d: tag %s", seed, s)
          .isEqualTo(parsesAsTag(s));
    }
  }

  @RepeatedTest(50)
  void generatedDigests(TestInfo test) {
    long seed = Seeds.next(test);
    Random random = new Random(seed);
    for (int round = 0; round < 200; round++) {
      StringBuilder algorithm = new StringBuilder(algorithmComponent(random));
      for (int parts = random.nextInt(3); parts > 0; parts--) {
        algorithm.append("-_+.".charAt(random.nextInt(4))).append(algorithmComponent(random));
      }
      int hexLength = 28 + random.nextInt(40);
      StringBuilder hex = new StringBuilder();
      for (int i = 0; i < hexLength; i++) {
        hex.append("0123456789abcdefABCDEF".charAt(random.nextInt(22)));
      }
      String digest = algorithm + ":" + hex;
      assertThat(ReferenceGrammar.isDigest(digest))
          .as("seed %d: %s", seed, digest)
          .isEqualTo(hexLength >= 32);
      String notHex =
          algorithm + ":" + insert(random, hex.toString(), "gGxz-:".charAt(random.nextInt(6)));
      assertThat(ReferenceGrammar.isDigest(notHex)).as("seed %d: %s", seed, notHex).isFalse();
    }
  }

  static final String[] SEPARATORS = {".", "_", "__", "-", "--", "---"};

  static String name(Random random, int components) {
    StringBuilder name = new StringBuilder(component(random));
    for (int i = 1; i < components; i++) {
      name.append('/').append(component(random));
    }
    return name.toString();
  }

  static String component(Random random) {
    StringBuilder component = new StringBuilder(alphanumerics(random));
    for (int parts = random.nextInt(4); parts > 0; parts--) {
      component.append(SEPARATORS[random.nextInt(SEPARATORS.length)]).append(alphanumerics(random));
    }
    return component.toString();
  }

  static String alphanumerics(Random random) {
    StringBuilder text = new StringBuilder();
    for (int length = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 6); length > 0; length--) {
      text.append("abcdefghijklmnopqrstuvwxyz0123456789".charAt(random.nextInt(36)));
    }
    return text.toString();
  }

  static String algorithmComponent(Random random) {
    StringBuilder text = new StringBuilder().append("abcXYZ".charAt(random.nextInt(6)));
    for (int length = random.nextInt(6); length > 0; length--) {
      text.append("abcXYZ0189".charAt(random.nextInt(10)));
    }
    return text.toString();
  }

  static String insert(Random random, String text, char c) {
    int at = random.nextInt(text.length() + 1);
    return text.substring(0, at) + c + text.substring(at);
  }

  /**
   * name := component ('/' component)*; component := alnum+ (separator alnum+)*; separator := . | _
   * | __ | -+
   */
  static boolean parsesAsName(String s) {
    if (s.isEmpty() || s.length() > 255) {
      return false;
    }
    for (String component : s.split("/", -1)) {
      if (!parsesAsComponent(component)) {
        return false;
      }
    }
    return true;
  }

  static boolean parsesAsComponent(String c) {
    int i = 0;
    int n = c.length();
    if (n == 0 || !alnum(c.charAt(0))) {
      return false;
    }
    while (i < n) {
      while (i < n && alnum(c.charAt(i))) {
        i++;
      }
      if (i == n) {
        return true;
      }
      int start = i;
      char first = c.charAt(i);
      if (first == '-') {
        while (i < n && c.charAt(i) == '-') {
          i++;
        }
      } else if (first == '.') {
        i++;
      } else if (first == '_') {
        i += i + 1 < n && c.charAt(i + 1) == '_' ? 2 : 1;
      } else {
        return false;
      }
      if (i == start || i == n || !alnum(c.charAt(i))) {
        return false;
      }
    }
    return true;
  }

  static boolean alnum(char c) {
    return c >= 'a' && c <= 'z' || c >= '0' && c <= '9';
  }

  static boolean parsesAsTag(String s) {
    if (s.isEmpty() || s.length() > 128 || !word(s.charAt(0))) {
      return false;
    }
    return s.chars().allMatch(c -> word((char) c) || c == '.' || c == '-');
  }

  static boolean word(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_';
  }
}
