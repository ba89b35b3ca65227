package dev.abtest.testing;

import dev.abtest.embedded.EmbeddedPostgres;
import dev.abtest.embedded.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * PostgreSQL servers for tests, under {@code target/}: the one of this JVM (started on first use,
 * stopped and deleted by a shutdown hook, so JUnit and jqwik tests of one JVM share it) and servers
 * of their own for classes that stop theirs.
 */
public final class SharedPostgres {
  private static EmbeddedPostgres shared;

  private SharedPostgres() {}

  /** The server of this test JVM. Never stop it: other classes use it. */
  public static synchronized EmbeddedPostgres server() {
    if (shared == null) {
      Path dir = Path.of("target", "test-postgres-" + ProcessHandle.current().pid());
      // Our hook stops it and then deletes its files.
      EmbeddedPostgres server = start(dir, false);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> stopAndDelete(server, dir), "test-postgres-stop"));
      shared = server;
    }
    return shared;
  }

  /** A server for {@code owner} alone, in a fresh directory; closing it deletes the directory. */
  public static Owned startOwn(String owner) {
    Path dir = Path.of("target", "test-postgres-" + owner + "-" + ProcessHandle.current().pid());
    return new Owned(start(dir, true), dir);
  }

  /** A server of one class or fixture; {@link #close()} stops it and deletes its files. */
  public record Owned(EmbeddedPostgres server, Path directory) implements AutoCloseable {
    @Override
    public void close() {
      stopAndDelete(server, directory);
    }
  }

  private static EmbeddedPostgres start(Path dir, boolean stopOnJvmExit) {
    try {
      FileTrees.deleteRecursively(dir);
      return EmbeddedPostgres.builder()
          .directory(dir)
          .port(0)
          .fastAndUnsafe(true)
          .stopOnJvmExit(stopOnJvmExit)
          .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void stopAndDelete(EmbeddedPostgres server, Path dir) {
    server.close();
    try {
      FileTrees.deleteRecursively(dir);
    } catch (IOException | UncheckedIOException e) {
      // Left under target/: the next clean removes it.
    }
  }
}
