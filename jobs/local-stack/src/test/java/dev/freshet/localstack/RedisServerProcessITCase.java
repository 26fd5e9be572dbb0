package dev.freshet.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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

  @Test
  void tlsServerAnswersOnlyOverTlsAndOnlyAfterAuth(@TempDir Path dir) throws Exception {
    ThrowawayCertificates certificates =
        ThrowawayCertificates.create(dir.resolve("certificates"), "IP:127.0.0.1");
    RedisServerProcess server = RedisServerProcess.startWithTls(dir, certificates);
    try {
      assertThat(server.uri()).isEqualTo("rediss://127.0.0.1:" + server.port());
      assertThat(server.caCertificateFile()).isEqualTo(certificates.caCertificate());
      assertThat(server.passwordFile()).hasContent(server.password() + "\n");
      assertThat(Files.getPosixFilePermissions(server.passwordFile()))
          .containsExactlyInAnyOrder(
              PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
      SocketFactory tls = trustingOnly(certificates.caCertificate()).getSocketFactory();

      assertThat(command(tls, server.port(), "PING")).startsWith("-NOAUTH");
      assertThat(command(tls, server.port(), "AUTH", "not-" + server.password()))
          .startsWith("-WRONGPASS");
      assertThat(command(tls, server.port(), "AUTH", server.password())).isEqualTo("+OK\r\n");
      assertThat(plainTextReplyOrNothing(server.port()))
          .as("a plain-text PING gets no Redis reply, not even -NOAUTH")
          .isEmpty();
    } finally {
      server.close();
    }
    assertThat(canConnect(server.port())).isFalse();
  }

  @Test
  void serverWithoutTlsHasNoPasswordToGive(@TempDir Path dir) {
    RedisServerProcess server = RedisServerProcess.start(dir);
    try {
      assertThatThrownBy(server::password)
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("This Redis runs without TLS and password; start one with startWithTls");
    } finally {
      server.close();
    }
  }

  /** The reply to a plain-text PING; nothing when the server closes or resets the connection. */
  private static String plainTextReplyOrNothing(int port) throws IOException {
    try {
      return command(port, "PING");
    } catch (SocketException reset) {
      return "";
    }
  }

  private static SSLContext trustingOnly(Path caCertificate) throws Exception {
    KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
    trusted.load(null, null);
    try (InputStream in = Files.newInputStream(caCertificate)) {
      trusted.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(trusted);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  private static String command(int port, String... words) throws IOException {
    return command(SocketFactory.getDefault(), port, words);
  }

  /**
   * One command in Redis's wire protocol; returns the reply's first line, or what came before the
   * server closed the connection.
   */
  private static String command(SocketFactory sockets, int port, String... words)
      throws IOException {
    StringBuilder request = new StringBuilder("*" + words.length + "\r\n");
    for (String word : words) {
      request.append('$').append(word.length()).append("\r\n").append(word).append("\r\n");
    }
    try (Socket socket = sockets.createSocket("127.0.0.1", port)) {
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
