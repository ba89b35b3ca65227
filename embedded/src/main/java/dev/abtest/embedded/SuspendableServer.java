package dev.abtest.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * The life cycle both local Temporal servers share: serving on 127.0.0.1, {@link #suspend()} stops
 * serving and keeps the state, {@link #resume()} serves again on the same port, {@link #close()}
 * stops for good (once; a closed server does not resume).
 */
abstract class SuspendableServer implements TemporalServer {
  static final String HOST = "127.0.0.1";

  private boolean closed;

  /** Serves again with the same state: called only when not serving and not closed. */
  abstract void startServing() throws IOException;

  /** Whether it serves now (not suspended, not closed). */
  abstract boolean serving();

  /** Stops serving, keeping the state; nothing when not serving. */
  abstract void stopServing();

  /** Releases what outlives a suspension, once, after the last {@link #stopServing()}. */
  void release() {}

  final synchronized boolean closed() {
    return closed;
  }

  @Override
  public String target() {
    return HOST + ":" + port();
  }

  @Override
  public final synchronized void resume() {
    if (closed) {
      throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }
    if (serving()) {
      return;
    }
    try {
      startServing();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public final synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopServing();
    release();
  }

  static int freeLoopbackPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return s.getLocalPort();
    }
  }
}
