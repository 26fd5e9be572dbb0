package dev.freshet.testsupport;

import java.util.Arrays;

final class BrokerProcesses {

  private BrokerProcesses() {}

  /** Kafka broker processes that this JVM started; none when the broker is a container. */
  static long startedByThisJvm() {
    return ProcessHandle.current()
        .children()
        .filter(
            child ->
                child
                    .info()
                    .arguments()
                    .map(arguments -> Arrays.asList(arguments).contains("kafka.Kafka"))
                    .orElse(false))
        .count();
  }
}
