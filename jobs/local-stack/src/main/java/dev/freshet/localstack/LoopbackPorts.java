package dev.freshet.localstack;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface, for the local servers this module starts.
 *
 * <p>A port is picked here and bound later by another process, so something may take it in between.
 * The ports come from below the kernel's ephemeral range, which the kernel hands to outgoing
 * connections: on a busy machine a port from inside that range is soon the local end of some
 * connection, and a JobManager that starts a second later cannot bind it (seen in CI).
 */
public final class LoopbackPorts {

  public static final String LOOPBACK = "127.0.0.1";

  /** Below this lie the registered ports of common servers. */
  private static final int LOWEST = 10_000;

  /** Linux's default when {@code ip_local_port_range} cannot be read. */
  private static final int DEFAULT_EPHEMERAL_START = 32_768;

  private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
  private static final int ATTEMPTS_PER_PORT = 100;

  private LoopbackPorts() {}

  /** {@code count} distinct ports, below the ephemeral range, that were free a moment ago. */
  public static int[] pickFree(int count) {
    int highest = ephemeralRangeStart() - 1;
    // All sockets stay open until every port is picked, so the ports differ.
    List<ServerSocket> sockets = new ArrayList<>();
    Set<Integer> tried = new HashSet<>();
    try {
      for (int attempt = 0; sockets.size() < count; attempt++) {
        if (attempt == count * ATTEMPTS_PER_PORT) {
          throw new IllegalStateException(
              "No free loopback ports between " + LOWEST + " and " + highest);
        }
        int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
        if (tried.add(port)) {
          bindIfFree(port, sockets);
        }
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      sockets.forEach(LoopbackPorts::closeQuietly);
    }
  }

  private static void bindIfFree(int port, List<ServerSocket> sockets) {
    try {
      sockets.add(new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK)));
    } catch (IOException inUse) {
      // Taken: another one is picked.
    }
  }

  /** Read by lines: on the development machine {@code Files.readString} of this file gave "3". */
  private static int ephemeralRangeStart() {
    try {
      String[] range = Files.readAllLines(EPHEMERAL_RANGE).get(0).trim().split("\\s+");
      int start = Integer.parseInt(range[0]);
      return start > LOWEST + 1_000 ? start : DEFAULT_EPHEMERAL_START;
    } catch (IOException | RuntimeException notLinux) {
      return DEFAULT_EPHEMERAL_START;
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // The port is released either way once the socket is gone.
    }
  }
}
