package dev.freshet.online;

import java.util.regex.Pattern;

/** Redis URIs as they may appear in logs and error messages. */
public final class RedisUris {

  /** The user info of a URI: after "//", up to the last "@" before the first "/" or "?". */
  private static final Pattern USER_INFO = Pattern.compile("//[^/?#]*@");

  private RedisUris() {}

  /**
   * The URI without its credentials, {@code redis://user:secret@host:6379} as {@code
   * redis://***@host:6379}: a password must not reach logs, the web UI or exception histories.
   * Works on Lettuce's sentinel and multi-host forms too, which {@link java.net.URI} cannot parse.
   */
  public static String withoutCredentials(String uri) {
    return USER_INFO.matcher(uri).replaceFirst("//***@");
  }
}
