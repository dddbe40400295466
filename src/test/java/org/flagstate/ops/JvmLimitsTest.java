package org.flagstate.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JvmLimitsTest {

  /** Prints {@link JvmLimits#current()} of the JVM it runs in. */
  public static final class Probe {
    public static void main(String[] args) {
      System.out.println(JvmLimits.current().describe());
    }
  }

  @Test
  void describesTheLimitsInMebibytesAndNamesTheCollectors() {
    JvmLimits limits =
        new JvmLimits(
            "17.0.15+6", 384L << 20, 256L << 20, List.of("Shenandoah Pauses", "Shenandoah Cycles"));

    assertThat(limits.describe())
        .isEqualTo(
            "Java 17.0.15+6, heap up to 384 MiB, direct memory up to 256 MiB,"
                + " garbage collector Shenandoah Pauses + Shenandoah Cycles");
  }

  @Test
  void readsTheOptionsAJvmWasStartedWith() throws Exception {
    assertThat(probe("-Xms64m", "-Xmx64m", "-XX:MaxDirectMemorySize=96m", "-XX:+UseSerialGC"))
        .contains("direct memory up to 96 MiB")
        .endsWith("garbage collector Copy + MarkSweepCompact");
  }

  @Test
  void withoutAMaximumForDirectMemoryTheHeapLimitAppliesAsInTheJdk() throws Exception {
    String described = probe("-Xms64m", "-Xmx64m", "-XX:+UseSerialGC");

    String heap = described.replaceAll(".*heap up to (\\d+) MiB.*", "$1");
    assertThat(described).contains("direct memory up to " + heap + " MiB");
  }

  private static String probe(String... jvmOptions) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    return output.strip();
  }
}
