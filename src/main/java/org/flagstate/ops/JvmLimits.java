package org.flagstate.ops;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;

/**
 * The memory limits and garbage collector the JVM was started with, logged at start: how Flagstate
 * holds up under a flood depends on them ({@code scripts/run} sets them; a plain {@code java -jar}
 * gets the JVM's defaults), and an operator should not have to guess which applied.
 */
public record JvmLimits(
    String javaVersion, long maxHeapBytes, long maxDirectBytes, List<String> collectors) {

  private static final long MIB = 1024 * 1024;

  /** The running JVM's. */
  public static JvmLimits current() {
    long maxHeap = Runtime.getRuntime().maxMemory();
    return new JvmLimits(
        Runtime.version().toString(),
        maxHeap,
        maxDirectMemory(maxHeap),
        ManagementFactory.getGarbageCollectorMXBeans().stream()
            .map(GarbageCollectorMXBean::getName)
            .toList());
  }

  /** {@code -XX:MaxDirectMemorySize}; unset (0), the JDK allows as much direct memory as heap. */
  private static long maxDirectMemory(long maxHeap) {
    HotSpotDiagnosticMXBean hotSpot =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    long configured =
        hotSpot == null ? 0 : Long.parseLong(hotSpot.getVMOption("MaxDirectMemorySize").getValue());
    return configured > 0 ? configured : maxHeap;
  }

  /** One line for the log. */
  public String describe() {
    return "Java "
        + javaVersion
        + ", heap up to "
        + maxHeapBytes / MIB
        + " MiB, direct memory up to "
        + maxDirectBytes / MIB
        + " MiB, garbage collector "
        + String.join(" + ", collectors);
  }
}
