package dev.freshet.localstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority made for one test run and a server certificate it signed, as PEM files:
 * what a TLS server on this machine presents and what its clients trust instead of a real CA.
 *
 * <p>Made with the JDK's own {@code keytool} (its {@code -signer} option signs one key pair with
 * another), so neither Bouncy Castle nor an {@code openssl} binary is needed. The keys are EC
 * P-256, quick to generate, and the certificates are valid for two days. Nothing here is fit for
 * production: the keystore's password is a constant and the files are left in the directory.
 */
public final class ThrowawayCertificates {

  private static final String STORE_PASSWORD = "throwaway";
  private static final String CA_ALIAS = "ca";
  private static final String SERVER_ALIAS = "server";
  private static final String VALIDITY_DAYS = "2";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 120;

  private final Path caCertificate;
  private final Path serverCertificate;
  private final Path serverKey;

  private ThrowawayCertificates(Path caCertificate, Path serverCertificate, Path serverKey) {
    this.caCertificate = caCertificate;
    this.serverCertificate = serverCertificate;
    this.serverKey = serverKey;
  }

  /**
   * Creates a CA and a server certificate for {@code subjectAlternativeNames} in {@code dir}.
   *
   * @param subjectAlternativeNames the names the server certificate is valid for, in keytool's
   *     syntax: {@code IP:127.0.0.1}, {@code DNS:redis.example}; a client that checks host names
   *     accepts the server only under one of them
   * @throws IllegalStateException if keytool fails; the message holds its output
   */
  public static ThrowawayCertificates create(Path dir, String... subjectAlternativeNames) {
    if (subjectAlternativeNames.length == 0) {
      throw new IllegalArgumentException(
          "Give at least one subject alternative name, e.g. IP:127.0.0.1");
    }
    Path keystore = dir.resolve("throwaway-certificates.p12");
    try {
      Files.createDirectories(dir);
      Files.deleteIfExists(keystore);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot prepare " + dir + " for certificates", e);
    }
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        CA_ALIAS,
        "-dname",
        "CN=Freshet throwaway test CA",
        // a CA certificate: only certificates of a CA may sign others
        "-ext",
        "BasicConstraints:critical=ca:true",
        "-ext",
        "KeyUsage:critical=keyCertSign,cRLSign",
        "-keystore",
        keystore.toString());
    keytool(
        dir,
        "-genkeypair",
        "-alias",
        SERVER_ALIAS,
        "-dname",
        // TLS clients match host names against the alternative names only, never against the CN
        "CN=Freshet throwaway test server",
        "-ext",
        "SubjectAlternativeName=" + String.join(",", subjectAlternativeNames),
        "-ext",
        "ExtendedKeyUsage=serverAuth",
        "-signer",
        CA_ALIAS,
        "-keystore",
        keystore.toString());
    return exportPem(dir, keystore);
  }

  /** The CA's certificate, PEM: what a client trusts to accept the server. */
  public Path caCertificate() {
    return caCertificate;
  }

  /** The server's certificate, PEM, signed by the CA. */
  public Path serverCertificate() {
    return serverCertificate;
  }

  /** The server's private key, PEM (PKCS#8, unencrypted). */
  public Path serverKey() {
    return serverKey;
  }

  private static ThrowawayCertificates exportPem(Path dir, Path keystore) {
    Path caCertificate = dir.resolve("ca.pem");
    Path serverCertificate = dir.resolve("server.pem");
    Path serverKey = dir.resolve("server-key.pem");
    try (InputStream in = Files.newInputStream(keystore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, STORE_PASSWORD.toCharArray());
      Key key = store.getKey(SERVER_ALIAS, STORE_PASSWORD.toCharArray());
      Files.writeString(
          caCertificate, pem("CERTIFICATE", store.getCertificate(CA_ALIAS).getEncoded()));
      Files.writeString(
          serverCertificate, pem("CERTIFICATE", store.getCertificate(SERVER_ALIAS).getEncoded()));
      // A PKCS#8 encoding, which OpenSSL (and so redis-server) reads as "PRIVATE KEY".
      Files.writeString(serverKey, pem("PRIVATE KEY", key.getEncoded()));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot export the certificates of " + keystore, e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot read the keystore " + keystore, e);
    }
    return new ThrowawayCertificates(caCertificate, serverCertificate, serverKey);
  }

  private static String pem(String type, byte[] der) {
    Base64.Encoder base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    return "-----BEGIN "
        + type
        + "-----\n"
        + base64.encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** Runs the keytool of the JDK this JVM runs on, with the options every call shares. */
  private static void keytool(Path dir, String... arguments) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    command.addAll(
        List.of(
            "-keyalg",
            "EC",
            "-groupname",
            "secp256r1",
            "-validity",
            VALIDITY_DAYS,
            "-storetype",
            "PKCS12",
            "-storepass",
            STORE_PASSWORD,
            "-noprompt"));
    Path output = dir.resolve("keytool.log");
    try {
      Process process =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()))
              .start();
      if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "keytool did not finish within " + KEYTOOL_TIMEOUT_SECONDS + " s: " + command);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "keytool failed with exit code "
                + process.exitValue()
                + ": "
                + command
                + "\n"
                + Files.readString(output));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running keytool", e);
    }
  }
}
