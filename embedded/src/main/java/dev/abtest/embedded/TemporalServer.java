package dev.abtest.embedded;

/**
 * A Temporal server on 127.0.0.1 that tests and the dev stack start and stop: the Java test server
 * ({@link LoopbackTemporalServer}) or the CLI's dev server ({@link TemporalDevServer}).
 */
public interface TemporalServer extends AutoCloseable {

  /** {@code 127.0.0.1:<port>}, for {@code WorkflowServiceStubsOptions.setTarget}. */
  String target();

  int port();

  /** What runs it, for logs and reports: {@code "test server"} or {@code "dev server 1.32.0"}. */
  String engine();

  /** True when histories and timers outlive {@link #suspend()} and a restart of the process. */
  boolean persistent();

  /** Makes the server unreachable on its port; its state (histories, timers) is kept. */
  void suspend();

  /** Listens again on the same port with the same state. */
  void resume();

  @Override
  void close();
}
