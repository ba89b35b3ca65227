package dev.abtest.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Resolves {@link PostgresDatabase} parameters: one database per test class, created on first use
 * on the JVM's server (or the class's own, see {@link PostgresTest#ownServer()}) and dropped when
 * the class is done (the class's store closes it).
 */
public final class PostgresExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == PostgresDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ExtensionContext classContext = classContext(context);
    Class<?> testClass = classContext.getRequiredTestClass();
    return classContext
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            PostgresDatabase.class, key -> create(testClass), PostgresDatabase.class);
  }

  private static PostgresDatabase create(Class<?> testClass) {
    PostgresTest settings =
        AnnotationSupport.findAnnotation(testClass, PostgresTest.class)
            .orElse(Defaults.class.getAnnotation(PostgresTest.class));
    return PostgresDatabase.create(testClass, settings.migrated(), settings.ownServer());
  }

  /** The context of the test class itself, whichever method asks. */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent()) {
      Optional<ExtensionContext> parent = current.getParent();
      if (parent.isEmpty()) {
        break;
      }
      current = parent.get();
    }
    return current;
  }

  /** Carries the defaults for classes registering the extension without the annotation. */
  @PostgresTest
  private static final class Defaults {}
}
