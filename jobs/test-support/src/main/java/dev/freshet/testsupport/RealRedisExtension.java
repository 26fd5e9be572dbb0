package dev.freshet.testsupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the JVM's shared real Redis server ({@link RedisTestServer#shared()}): either
 * {@code @ExtendWith(RealRedisExtension.class)} and a {@link RedisTestServer} parameter, or a
 * {@code @RegisterExtension static} field and {@link #server()}.
 */
public final class RealRedisExtension implements BeforeAllCallback, ParameterResolver {

  /** Starts the server before the first test, so its start-up counts against no test's timeout. */
  @Override
  public void beforeAll(ExtensionContext context) {
    RedisTestServer.shared();
  }

  public RedisTestServer server() {
    return RedisTestServer.shared();
  }

  public String uri() {
    return server().uri();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisTestServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server();
  }
}
