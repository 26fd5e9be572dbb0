package dev.freshet.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LoopbackPortsTest {

  @Test
  void picksDistinctBindablePortsBelowTheEphemeralRange() throws Exception {
    int[] ports = LoopbackPorts.pickFree(20);

    assertThat(Arrays.stream(ports).distinct().count()).isEqualTo(20);
    assertThat(Arrays.stream(ports).boxed().toList())
        .allSatisfy(port -> assertThat(port).isBetween(10_000, ephemeralStart() - 1));
    for (int port : ports) {
      try (ServerSocket socket =
          new ServerSocket(port, 1, InetAddress.getByName(LoopbackPorts.LOOPBACK))) {
        assertThat(socket.getLocalPort()).isEqualTo(port);
      }
    }
  }

  private static int ephemeralStart() throws Exception {
    Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    return Files.exists(range)
        ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0])
        : 32_768;
  }
}
