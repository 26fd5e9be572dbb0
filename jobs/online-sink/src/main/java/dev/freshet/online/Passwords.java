package dev.freshet.online;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a password where a connection is made, from a file (a mounted Kubernetes Secret) or an
 * environment variable, at every call, so that a rotated Secret counts from the next connection.
 * Redis's connection and the Kafka clients' SASL login both read theirs here.
 */
public final class Passwords {

  private Passwords() {}

  /**
   * @param service what the password is for, in messages: {@code Redis}, {@code Kafka}
   * @param passwordFile the file, or null for the variable
   * @param environmentVariable the variable's name, read when there is no file
   * @return the password without the trailing line breaks that editors, {@code echo} and most
   *     secret stores add to a file
   * @throws IOException if the file cannot be read, or the file or variable is missing or empty;
   *     the message names the file or variable, never the password
   */
  public static char[] read(String service, String passwordFile, String environmentVariable)
      throws IOException {
    String password;
    String source;
    if (passwordFile != null) {
      source = "the password file " + passwordFile;
      try {
        password = withoutTrailingLineBreaks(Files.readString(Path.of(passwordFile)));
      } catch (NoSuchFileException e) {
        throw new IOException(
            "Cannot read the " + service + " password: " + source + " does not exist", e);
      } catch (IOException e) {
        throw new IOException(
            "Cannot read the " + service + " password from " + passwordFile + ": " + e, e);
      }
    } else {
      source = "the environment variable " + environmentVariable;
      password = System.getenv(environmentVariable);
      if (password == null) {
        throw new IOException(
            "Cannot read the " + service + " password: " + source + " is not set");
      }
    }
    if (password.isEmpty()) {
      throw new IOException("Cannot read the " + service + " password: " + source + " is empty");
    }
    return password.toCharArray();
  }

  private static String withoutTrailingLineBreaks(String content) {
    int end = content.length();
    while (end > 0 && (content.charAt(end - 1) == '\n' || content.charAt(end - 1) == '\r')) {
      end--;
    }
    return content.substring(0, end);
  }
}
