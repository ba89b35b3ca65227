package dev.abtest.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's dev server as a child process: serving, restarted with its file, never left behind. */
class TemporalDevServerTest {
  private static Path cli;

  @TempDir Path dir;

  @BeforeAll
  static void needsTheCli() {
    cli = TemporalServers.cliForTests().orElse(null);
    Assumptions.assumeTrue(cli != null, "needs the Temporal CLI (scripts/install-temporal-cli)");
  }

  @Test
  void servesOnLoopbackAndKeepsItsStateAcrossAStopAndStart() throws Exception {
    try (TemporalDevServer server =
        TemporalDevServer.start(
            TemporalDevServer.Options.of(cli, dir.resolve("server.log"))
                .withDbFile(dir.resolve("temporal.db"))
                .withSearchAttributes(java.util.Map.of("ExperimentId", "Keyword")))) {
      assertThat(server.target()).startsWith("127.0.0.1:");
      assertThat(server.engine()).contains("Temporal CLI dev server", "Server 1.");
      assertThat(server.persistent()).isTrue();
      assertThat(answers(server)).isTrue();
      long firstPid = server.pid();

      server.suspend();
      assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
      assertThat(answers(server)).isFalse();

      server.resume();
      assertThat(answers(server)).isTrue();
      assertThat(server.pid()).isNotEqualTo(firstPid);
    }
  }

  @Test
  void fastAndUnsafeWritesAheadAndStillServesAfterAStopAndStart() throws Exception {
    java.nio.file.Path db = dir.resolve("fast.db");
    try (TemporalDevServer server =
        TemporalDevServer.start(
            TemporalDevServer.Options.of(cli, dir.resolve("fast.log"))
                .withDbFile(db)
                .fastAndUnsafe(true))) {
      assertThat(answers(server)).isTrue();
      assertThat(db.resolveSibling("fast.db-wal")).exists();
      server.suspend();
      server.resume();
      assertThat(answers(server)).isTrue();
    }
  }

  @Test
  void aTakenPortIsOneClearErrorAndNothingIsStarted() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      assertThatThrownBy(
              () ->
                  TemporalDevServer.start(
                      TemporalDevServer.Options.of(cli, dir.resolve("server.log")).withPort(port)))
          .isInstanceOf(IOException.class)
          .hasMessage(
              "port "
                  + port
                  + " on 127.0.0.1 (the Temporal dev server's gRPC port) is already in use");
    }
  }

  @Test
  void aServerThatDiesOnItsOwnIsReportedInOneLine() throws Exception {
    CompletableFuture<String> reported = new CompletableFuture<>();
    try (TemporalDevServer server =
        TemporalDevServer.start(
            TemporalDevServer.Options.of(cli, dir.resolve("server.log"))
                .onUnexpectedExit(reported::complete))) {
      ProcessHandle.of(server.pid()).orElseThrow().destroyForcibly();
      String line = reported.get(15, TimeUnit.SECONDS);
      assertThat(line)
          .startsWith("The Temporal dev server on " + server.target() + " exited with code")
          .doesNotContain("\n");
    }
  }

  @Test
  void anInMemoryServerRefusesToSuspendBecauseItWouldLoseEverything() throws Exception {
    try (TemporalDevServer server =
        TemporalDevServer.start(TemporalDevServer.Options.of(cli, dir.resolve("server.log")))) {
      assertThat(server.persistent()).isFalse();
      assertThatThrownBy(server::suspend).isInstanceOf(IllegalStateException.class);
    }
  }

  private static boolean answers(TemporalServer server) {
    WorkflowServiceStubs stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.target())
                .setRpcTimeout(Duration.ofSeconds(2))
                .build());
    try {
      stubs
          .blockingStub()
          .withDeadlineAfter(2, TimeUnit.SECONDS)
          .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      return true;
    } catch (RuntimeException e) {
      return false;
    } finally {
      stubs.shutdownNow();
    }
  }
}
