package org.flagstate.testsupport;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.TestInfo;

/**
 * Seeds for the randomised tests: a fresh one per repetition, printed with the test's name so a
 * failure can be replayed with {@code -Dflagstate.test.seed=N} (which then fixes the seed of every
 * repetition).
 */
public final class Seeds {

  public static final String PROPERTY = "flagstate.test.seed";
  private static final AtomicLong SPREAD = new AtomicLong(System.nanoTime());

  private Seeds() {}

  /**
   * The seed for this repetition: {@code -Dflagstate.test.seed} if set, else a new one; printed
   * either way.
   */
  public static long next(TestInfo test) {
    String fixed = System.getProperty(PROPERTY, "");
    long seed =
        fixed.isBlank()
            ? SPREAD.addAndGet(0x9E3779B97F4A7C15L) ^ System.nanoTime()
            : Long.parseLong(fixed.trim());
    System.out.println(
        test.getTestClass().map(Class::getSimpleName).orElse("?")
            + "."
            + test.getTestMethod().map(m -> m.getName()).orElse("?")
            + " ["
            + test.getDisplayName()
            + "] seed="
            + seed
            + " (replay with -D"
            + PROPERTY
            + "="
            + seed
            + ")");
    return seed;
  }

  public static Random random(long seed) {
    return new Random(seed);
  }
}
