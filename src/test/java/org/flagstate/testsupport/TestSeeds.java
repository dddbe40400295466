package org.flagstate.testsupport;

/** The seed of a test's random generators: {@code -Dflagstate.seed}, else a new one, printed. */
public final class TestSeeds {

  private TestSeeds() {}

  /** The seed for {@code test}, printed with the option that repeats the run. */
  public static long seed(Class<?> test) {
    long seed = Long.getLong("flagstate.seed", System.nanoTime());
    System.out.println(
        test.getSimpleName() + " seed: " + seed + " (-Dflagstate.seed=" + seed + ")");
    return seed;
  }
}
