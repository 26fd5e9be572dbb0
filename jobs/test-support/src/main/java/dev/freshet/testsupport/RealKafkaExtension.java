package dev.freshet.testsupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's shared real Kafka broker ({@link KafkaTestBroker#shared()}).
 *
 * <p>Either {@code @ExtendWith(RealKafkaExtension.class)} and a {@link KafkaTestBroker} parameter
 * on a test, lifecycle method or constructor, or a {@code @RegisterExtension static} field and
 * {@link #bootstrapServers()}.
 */
public final class RealKafkaExtension implements BeforeAllCallback, ParameterResolver {

  /** Starts the broker before the first test, so its start-up counts against no test's timeout. */
  @Override
  public void beforeAll(ExtensionContext context) {
    KafkaTestBroker.shared();
  }

  public KafkaTestBroker broker() {
    return KafkaTestBroker.shared();
  }

  public String bootstrapServers() {
    return broker().bootstrapServers();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == KafkaTestBroker.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return broker();
  }
}
