package dev.freshet.job;

import dev.freshet.online.Passwords;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import javax.security.auth.callback.Callback;
import javax.security.auth.callback.NameCallback;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.security.auth.login.AppConfigurationEntry;
import javax.security.sasl.AuthorizeCallback;
import javax.security.sasl.RealmCallback;
import org.apache.kafka.common.security.auth.AuthenticateCallbackHandler;
import org.apache.kafka.common.security.scram.ScramExtensionsCallback;

/**
 * Gives a Kafka client's SASL login (PLAIN or SCRAM) the user name of its JAAS options and the
 * password of the file or environment variable they name, read at every login: the {@code
 * sasl.client.callback.handler.class} of a {@link KafkaConnection}. Kafka builds it from the class
 * name, inside the client, so the password exists only in the connecting process and only while a
 * connection logs in.
 *
 * <p>JAAS options: {@value #USERNAME_OPTION}, and {@value #PASSWORD_FILE_OPTION} or {@value
 * #PASSWORD_ENVIRONMENT_VARIABLE_OPTION}. A file's trailing line breaks are not part of the
 * password, as for Redis.
 */
public final class KafkaPasswordCallbackHandler implements AuthenticateCallbackHandler {

  static final String USERNAME_OPTION = "username";
  static final String PASSWORD_FILE_OPTION = "freshetPasswordFile";
  static final String PASSWORD_ENVIRONMENT_VARIABLE_OPTION = "freshetPasswordEnvironmentVariable";

  private String username;
  private String passwordFile;
  private String passwordEnvironmentVariable;

  /** Kafka's constructor: it configures the handler next. */
  public KafkaPasswordCallbackHandler() {}

  @Override
  public void configure(
      Map<String, ?> configs, String saslMechanism, List<AppConfigurationEntry> jaasConfigEntries) {
    if (jaasConfigEntries.size() != 1) {
      throw new IllegalArgumentException(
          "sasl.jaas.config must hold exactly one login module, got " + jaasConfigEntries.size());
    }
    Map<String, ?> options = jaasConfigEntries.get(0).getOptions();
    username = (String) options.get(USERNAME_OPTION);
    passwordFile = (String) options.get(PASSWORD_FILE_OPTION);
    passwordEnvironmentVariable = (String) options.get(PASSWORD_ENVIRONMENT_VARIABLE_OPTION);
    if (username == null || (passwordFile == null) == (passwordEnvironmentVariable == null)) {
      throw new IllegalArgumentException(
          "sasl.jaas.config needs the options "
              + USERNAME_OPTION
              + " and either "
              + PASSWORD_FILE_OPTION
              + " or "
              + PASSWORD_ENVIRONMENT_VARIABLE_OPTION
              + " for "
              + getClass().getSimpleName());
    }
  }

  /**
   * @throws IOException if the password file cannot be read, or the file or variable is missing or
   *     empty; the message names the file or variable
   */
  @Override
  public void handle(Callback[] callbacks) throws IOException, UnsupportedCallbackException {
    for (Callback callback : callbacks) {
      if (callback instanceof NameCallback name) {
        name.setName(username);
      } else if (callback instanceof PasswordCallback password) {
        password.setPassword(Passwords.read("Kafka", passwordFile, passwordEnvironmentVariable));
      } else if (callback instanceof ScramExtensionsCallback) {
        // No SCRAM extensions: the callback's default is none.
      } else if (callback instanceof RealmCallback realm) {
        realm.setText(realm.getDefaultText());
      } else if (callback instanceof AuthorizeCallback authorize) {
        authorize.setAuthorized(
            authorize.getAuthenticationID().equals(authorize.getAuthorizationID()));
      } else {
        throw new UnsupportedCallbackException(callback);
      }
    }
  }

  @Override
  public void close() {}
}
