package dev.freshet.bench;

import java.lang.management.ManagementFactory;

/** CPU time of this JVM, the way Nexmark counts cores: busy CPU seconds per wall second. */
final class Cpu {

  private Cpu() {}

  static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }
}
