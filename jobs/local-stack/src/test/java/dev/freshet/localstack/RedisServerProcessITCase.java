package dev.freshet.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisServerProcessITCase {

  @Test
  void startsAnEmptyServerThatAnswersAndStopsWhenClosed(@TempDir Path dir) throws IOException {
    assertThat(RedisServerProcess.binaryAvailable()).as("redis-server on the PATH").isTrue();
    RedisServerProcess server = RedisServerProcess.start(dir);
    try {
      assertThat(server.uri()).isEqualTo("redis://127.0.0.1:" + server.port());
      assertThat(command(server.port(), "DBSIZE")).isEqualTo(":0\r\n");
      assertThat(command(server.port(), "SET", "k", "v")).isEqualTo("+OK\r\n");
      assertThat(command(server.port(), "DBSIZE")).isEqualTo(":1\r\n");
    } finally {
      server.close();
    }
    assertThat(canConnect(server.port())).isFalse();
    assertThat(server.logFile()).exists();
  }

  /** One command in Redis's wire protocol; returns the reply's first line. */
  private static String command(int port, String... words) throws IOException {
    StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
    for (String word : words) {
      request.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
    }
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder reply = new StringBuilder();
      for (int b = in.read(); b >= 0; b = in.read()) {
        reply.append((char) b);
        if (reply.toString().endsWith("\r\n")) {
          break;
        }
      }
      return reply.toString();
    }
  }

  private static boolean canConnect(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }
}
