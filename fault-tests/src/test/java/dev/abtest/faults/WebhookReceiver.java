package dev.abtest.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The activation-event receivers of the event ITs: HTTP servers on loopback that record every
 * request, with the verdict of the Standard Webhooks reference library ({@code standardwebhooks} on
 * npm, run by node from clients/webhook-verify) on its signature, independently of the worker's
 * signer. What each request is answered is the test's {@link Answer}.
 */
final class WebhookReceiver implements AutoCloseable {
  static final Path VERIFIER =
      Path.of(System.getProperty("faults.webhookVerifier", "../clients/webhook-verify"))
          .toAbsolutePath()
          .normalize();
  static final ObjectMapper JSON = new ObjectMapper();

  /** The status a request to {@code path} is answered with; it may take its time. */
  @FunctionalInterface
  interface Answer {
    int status(String path, String webhookId);
  }

  /** One request as received: its verdict is "ok" or "error: ...". */
  record Received(
      String path,
      String id,
      String timestamp,
      String body,
      String verdict,
      int answer,
      Instant answeredAt) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    String type() {
      return json().path("type").asText();
    }
  }

  private final String secret;
  private final Verifier verifier;
  private final Answer answer;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();

  private WebhookReceiver(String secret, Verifier verifier, Answer answer) {
    this.secret = secret;
    this.verifier = verifier;
    this.answer = answer;
  }

  /** A fresh {@code whsec_} secret, the verifier for it, and a receiver on a free port. */
  static WebhookReceiver start(Answer answer) throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    String secret = "whsec_" + Base64.getEncoder().encodeToString(key);
    WebhookReceiver receiver = new WebhookReceiver(secret, Verifier.start(secret), answer);
    try {
      receiver.listen(0);
    } catch (IOException | RuntimeException e) {
      receiver.close();
      throw e;
    }
    return receiver;
  }

  /** Starts one more server, on {@code port} (0: a free one), recording into the same list. */
  int listen(int port) throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/", this::receive);
    server.start();
    servers.add(server);
    return server.getAddress().getPort();
  }

  /** The signing secret the worker must be given. */
  String secret() {
    return secret;
  }

  /** {@code http://127.0.0.1:<port>} of the first server. */
  String baseUrl() {
    return "http://127.0.0.1:" + servers.get(0).getAddress().getPort();
  }

  /** Everything received so far, in order of answer. */
  List<Received> received() {
    return received;
  }

  /** What {@code path} received about {@code experimentId}. */
  List<Received> to(String path, String experimentId) {
    List<Received> out = new ArrayList<>();
    for (Received r : about(experimentId)) {
      if (r.path().equals(path)) {
        out.add(r);
      }
    }
    return out;
  }

  /** What any path received about {@code experimentId}. */
  List<Received> about(String experimentId) {
    return received.stream()
        .filter(r -> r.body().contains("\"experimentId\":\"" + experimentId + "\""))
        .toList();
  }

  /** Waits until {@code done}; on timeout fails with what was received. */
  void await(String what, Duration timeout, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; received " + received);
      }
      Thread.sleep(200);
    }
  }

  private void receive(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String id = exchange.getRequestHeaders().getFirst("webhook-id");
    String timestamp = exchange.getRequestHeaders().getFirst("webhook-timestamp");
    String signature = exchange.getRequestHeaders().getFirst("webhook-signature");
    String verdict = verifier.verify(id, timestamp, signature, body);
    int status = answer.status(path, id);
    received.add(new Received(path, id, timestamp, body, verdict, status, Instant.now()));
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  @Override
  public void close() {
    for (HttpServer server : servers) {
      server.stop(0);
      ((ExecutorService) server.getExecutor()).shutdownNow();
    }
    verifier.close();
  }

  /** The reference library in a node process: one line in, "ok" or "error: ..." out. */
  private static final class Verifier implements AutoCloseable {
    private final Process process;
    private final Writer in;
    private final BufferedReader out;

    private Verifier(Process process) {
      this.process = process;
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    static Verifier start(String secret) throws Exception {
      if (!installed()) {
        System.out.println("events: npm ci in " + VERIFIER + " (node_modules missing or stale)");
        Process install =
            new ProcessBuilder(
                    "npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--silent")
                .directory(VERIFIER.toFile())
                .inheritIO()
                .start();
        if (!install.waitFor(3, TimeUnit.MINUTES)) {
          install.destroyForcibly();
          throw new IllegalStateException("npm ci in " + VERIFIER + " took over 3 minutes");
        }
        if (install.exitValue() != 0) {
          throw new IllegalStateException(
              "npm ci in " + VERIFIER + " failed with exit code " + install.exitValue());
        }
      }
      if (!installed()) {
        throw new IllegalStateException("npm ci in " + VERIFIER + " left no standardwebhooks");
      }
      Process process =
          new ProcessBuilder("node", "verify.mjs", secret)
              .directory(VERIFIER.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      return new Verifier(process);
    }

    /**
     * The locked dependencies are installed: npm ci writes node_modules/.package-lock.json, which
     * must be at least as new as the committed lock file (a changed lock file reinstalls).
     */
    static boolean installed() throws IOException {
      Path modules = VERIFIER.resolve("node_modules");
      Path installedLock = modules.resolve(".package-lock.json");
      return Files.isRegularFile(modules.resolve("standardwebhooks").resolve("package.json"))
          && Files.isRegularFile(installedLock)
          && Files.getLastModifiedTime(installedLock)
                  .compareTo(Files.getLastModifiedTime(VERIFIER.resolve("package-lock.json")))
              >= 0;
    }

    synchronized String verify(String id, String timestamp, String signature, String body)
        throws IOException {
      var headers = JSON.createObjectNode();
      headers.put("webhook-id", id);
      headers.put("webhook-timestamp", timestamp);
      headers.put("webhook-signature", signature);
      var line = JSON.createObjectNode();
      line.set("headers", headers);
      line.put("body", body);
      in.write(JSON.writeValueAsString(line) + "\n");
      in.flush();
      String answer = out.readLine();
      return answer == null ? "error: verifier exited" : answer;
    }

    @Override
    public void close() {
      process.destroy();
    }
  }
}
