package dev.abtest.starter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.abtest.activation.ExperimentStatus;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Slow or stalled clients hold no thread and are cut off by the read timeout: while 1,000
 * connections sit on half a header, others are served at once; each slow one gets a 408 (or is
 * closed); a body that stops mid-way, chunked or with a length, is a 408 too.
 */
@ExtendWith(TestStack.Resolver.class)
class SlowClientsTest {
  private static final int SLOW = 1_000;
  private static final Duration READ_TIMEOUT = Duration.ofSeconds(3);

  @Test
  void aThousandHalfSentHeadersNeitherBlockOthersNorStayOpen(TestStack stack) throws Exception {
    try (StarterApp starter =
        stack.starter(Map.of("HTTP_READ_TIMEOUT", READ_TIMEOUT.toSeconds() + "s"))) {
      Api api = new Api(starter.baseUri());
      String token = stack.token("slow-clients");
      // Warm-up: the first activation pays for class loading and the Temporal connection.
      assertThat(api.activate(stack.insert("warm", ExperimentStatus.PENDING), token).status())
          .isEqualTo(200);

      List<Socket> slow = new ArrayList<>();
      long opened = System.nanoTime();
      for (int i = 0; i < SLOW; i++) {
        Socket socket = RawHttp.connect(starter.port());
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST " + Api.ACTIVATE + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        slow.add(socket);
      }
      System.out.println(
          SLOW
              + " slow connections opened in "
              + Duration.ofNanos(System.nanoTime() - opened).toMillis()
              + " ms");

      String id = stack.insert("beside-slow", ExperimentStatus.PENDING);
      long started = System.nanoTime();
      Api.Reply health = api.get("/healthz", null);
      Duration healthTook = Duration.ofNanos(System.nanoTime() - started);
      started = System.nanoTime();
      Api.Reply activated = api.activate(id, token);
      Duration activationTook = Duration.ofNanos(System.nanoTime() - started);
      System.out.println(
          "With "
              + SLOW
              + " slow connections held: /healthz "
              + healthTook.toMillis()
              + " ms, activation "
              + activationTook.toMillis()
              + " ms");
      assertThat(health.status()).isEqualTo(200);
      assertThat(activated.status()).isEqualTo(200);
      assertThat(healthTook).isLessThan(Duration.ofSeconds(1));
      assertThat(activationTook).isLessThan(Duration.ofSeconds(1));

      // Each slow connection is answered 408 (JSON) and closed by the read timeout.
      ExecutorService readers = Executors.newFixedThreadPool(64);
      try {
        List<CompletableFuture<RawHttp.Answer>> answers = new ArrayList<>();
        for (Socket socket : slow) {
          answers.add(CompletableFuture.supplyAsync(() -> read(socket), readers));
        }
        int timedOut = 0;
        for (CompletableFuture<RawHttp.Answer> answer : answers) {
          RawHttp.Answer got = answer.join();
          if (got.status() == 408) {
            assertThat(got.body()).contains("\"code\":\"REQUEST_TIMEOUT\"");
            timedOut++;
          } else {
            assertThat(got.status()).as(got.text()).isZero();
          }
        }
        Duration closedAfter = Duration.ofNanos(System.nanoTime() - opened);
        System.out.println(
            timedOut
                + " of "
                + SLOW
                + " slow connections answered 408, all closed after "
                + closedAfter.toMillis()
                + " ms");
        assertThat(timedOut).isEqualTo(SLOW);
        assertThat(closedAfter).isLessThan(READ_TIMEOUT.plusSeconds(15));
      } finally {
        readers.shutdownNow();
        for (Socket socket : slow) {
          socket.close();
        }
      }
      assertThat(stack.status(id)).isEqualTo("ACTIVE");
    }
  }

  @Test
  void aBodyThatStopsMidWayIsARequestTimeout(TestStack stack) throws Exception {
    try (StarterApp starter =
        stack.starter(Map.of("HTTP_READ_TIMEOUT", READ_TIMEOUT.toSeconds() + "s"))) {
      String id = stack.insert("stalled", ExperimentStatus.PENDING);
      String token = stack.token("staller");
      String head =
          "POST "
              + Api.ACTIVATE
              + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
              + token
              + "\r\nContent-Type: application/json\r\n";
      String partial = "{\"experimentId\":\"" + id;

      long started = System.nanoTime();
      RawHttp.Answer withLength =
          stall(starter.port(), head + "Content-Length: 200\r\n\r\n" + partial);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      assertThat(withLength.status()).as(withLength.text()).isEqualTo(408);
      assertThat(withLength.body()).contains("\"code\":\"REQUEST_TIMEOUT\"");
      assertThat(took).isBetween(READ_TIMEOUT.minusMillis(500), READ_TIMEOUT.plusSeconds(5));

      RawHttp.Answer chunked =
          stall(
              starter.port(),
              head
                  + "Transfer-Encoding: chunked\r\n\r\n"
                  + Integer.toHexString(partial.length())
                  + "\r\n"
                  + partial
                  + "\r\n");
      assertThat(chunked.status()).as(chunked.text()).isIn(408, 0);
      if (chunked.status() == 408) {
        assertThat(chunked.body()).contains("\"code\":\"REQUEST_TIMEOUT\"");
      }
      assertThat(stack.status(id)).isEqualTo("PENDING");
    }
  }

  /** Sends {@code text}, then nothing more, and reads what comes until the server closes. */
  private static RawHttp.Answer stall(int port, String text) throws IOException {
    try (Socket socket = RawHttp.connect(port)) {
      socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      return RawHttp.read(socket);
    }
  }

  private static RawHttp.Answer read(Socket socket) {
    return RawHttp.read(socket);
  }
}
