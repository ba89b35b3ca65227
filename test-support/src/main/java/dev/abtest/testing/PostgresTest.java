package dev.abtest.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that talks to a real PostgreSQL: it gets a fresh database of its own, injected as a
 * {@link PostgresDatabase} parameter (constructor, {@code @BeforeAll}, {@code @BeforeEach} or test
 * method: the same database for the whole class), dropped after the class.
 *
 * <p>The server is the one of the test JVM, started on first use, unless {@link #ownServer()}: a
 * class that stops or restarts PostgreSQL must have its own, so it never pulls the database from
 * under another class.
 */
@Target(ElementType.TYPE)
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresExtension.class)
public @interface PostgresTest {
  /** Whether the database holds the project's schema (store's migrations); else it is empty. */
  boolean migrated() default true;

  /** Whether the class gets a server of its own, which it may stop and start. */
  boolean ownServer() default false;
}
