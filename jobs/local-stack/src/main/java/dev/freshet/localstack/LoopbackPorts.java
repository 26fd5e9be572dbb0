package dev.freshet.localstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free TCP ports on the loopback interface, for the local servers this module starts. */
public final class LoopbackPorts {

  public static final String LOOPBACK = "127.0.0.1";

  private LoopbackPorts() {}

  /** {@code count} distinct ports that were free a moment ago. */
  public static int[] pickFree(int count) {
    // All sockets stay open until every port is picked, so the ports differ.
    ServerSocket[] sockets = new ServerSocket[count];
    try {
      int[] ports = new int[count];
      for (int i = 0; i < count; i++) {
        sockets[i] = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
        ports[i] = sockets[i].getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find free loopback ports", e);
    } finally {
      for (ServerSocket socket : sockets) {
        closeQuietly(socket);
      }
    }
  }

  private static void closeQuietly(ServerSocket socket) {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // The port is released either way once the socket is gone.
    }
  }
}
