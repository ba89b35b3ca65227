package dev.abtest.embedded;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.protobuf.services.HealthStatusManager;
import io.temporal.internal.testservice.TestServicesStarter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporal's in-memory Java test server (real time, no time skipping) served over gRPC on 127.0.0.1
 * only; the stock {@code TestServer.createPortBoundServer} binds every interface.
 *
 * <p>{@link #suspend()} closes the listener but keeps the in-memory state (workflows, histories,
 * registered search attributes), so tests can make Temporal unreachable and {@link #resume()} it.
 *
 * <p>Custom search attributes: the test server implements the OperatorService's {@code
 * AddSearchAttributes} (namespace "default"), so {@code OperatorServiceStubs} pointed at {@link
 * #target()} registers e.g. {@code ExperimentId} / {@code ActivationOutcome} as KEYWORD, as against
 * a real cluster. Register them before starting workflows that use them: the server rejects an
 * undefined attribute (INVALID_ARGUMENT), and a start so rejected leaves its workflow id unusable
 * on this server (later results of that id report NOT_FOUND).
 */
public final class LoopbackTemporalServer extends SuspendableServer {

  private static final Logger log = LoggerFactory.getLogger(LoopbackTemporalServer.class);

  private final TestServicesStarter services;
  private final int port;
  private Server server;

  private LoopbackTemporalServer(TestServicesStarter services, int port) {
    this.services = services;
    this.port = port;
  }

  /** Starts the server on 127.0.0.1:port; 0 picks a free port. */
  public static LoopbackTemporalServer start(int port) throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    // A free port picked here can be taken before the bind: then try another one.
    for (int attempt = 1; ; attempt++) {
      int chosen = port != 0 ? port : freeLoopbackPort();
      // First argument is lockTimeSkipping: true keeps real time (as the stock server's main does
      // without --enable-time-skipping); 0 means "start at the current time".
      TestServicesStarter services = new TestServicesStarter(true, 0);
      LoopbackTemporalServer s = new LoopbackTemporalServer(services, chosen);
      try {
        s.listen();
        log.info("Temporal test server listening on {}", s.target());
        return s;
      } catch (IOException | RuntimeException e) {
        services.close();
        if (port != 0 || attempt == 3) {
          throw e;
        }
      }
    }
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public String engine() {
    return "test server";
  }

  @Override
  public boolean persistent() {
    return false;
  }

  /** Stops listening and drops open connections; the in-memory state is kept. */
  @Override
  public void suspend() {
    stopServing();
  }

  @Override
  synchronized void stopServing() {
    if (server == null) {
      return;
    }
    server.shutdownNow();
    try {
      server.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    server = null;
  }

  @Override
  synchronized boolean serving() {
    return server != null;
  }

  @Override
  void startServing() throws IOException {
    listen();
  }

  @Override
  void release() {
    services.close();
  }

  private synchronized void listen() throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getByName(HOST), port))
            // Connections closed by suspend() linger in TIME_WAIT; resume() must still bind.
            .withOption(ChannelOption.SO_REUSEADDR, true);
    HealthStatusManager health = new HealthStatusManager();
    for (BindableService service : services.getServices()) {
      builder.addService(service);
      health.setStatus(
          service.bindService().getServiceDescriptor().getName(), ServingStatus.SERVING);
    }
    builder.addService(health.getHealthService());
    try {
      server = builder.build().start();
    } catch (IOException e) {
      throw new IOException("Cannot bind the Temporal test server to " + target(), e);
    }
  }
}
