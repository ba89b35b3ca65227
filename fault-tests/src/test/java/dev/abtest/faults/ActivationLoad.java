package dev.abtest.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends activation requests over HTTP from a fixed number of client threads: every experiment
 * {@code duplicates} times, in a shuffled order (fixed seed), so that duplicates of one experiment
 * overlap. Runs in the background; {@link #answered()} lets a test inject its fault in the middle.
 */
final class ActivationLoad {
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  static final String PATH = "/api/nous/ab-testing/experiments/activate";

  /** The activation route's request: POST {@code body} (JSON) to {@code uri}. */
  static HttpRequest activationPost(URI uri, String body, Duration timeout) {
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** The body that activates {@code experimentId} now. */
  static String activateBody(String experimentId) {
    return "{\"experimentId\":\"" + experimentId + "\"}";
  }

  /** How long one request keeps being retried (503, or a starter that went away). */
  static final Duration RETRY_FOR = Duration.ofSeconds(90);

  private final List<URI> uris;
  private final boolean retryUnavailable;
  private final List<String> requests;
  private final int clients;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private final Map<String, LongAdder> byStatus = new ConcurrentHashMap<>();
  private final LongAdder unavailable = new LongAdder();
  private final LongAdder failedOver = new LongAdder();
  private final Map<String, List<Integer>> statusesByExperiment = new ConcurrentHashMap<>();
  private ExecutorService pool;
  private final List<Future<?>> workers = new ArrayList<>();

  ActivationLoad(URI starter, List<String> experimentIds, int duplicates, int clients, long seed) {
    this(List.of(starter), false, experimentIds, duplicates, clients, seed);
  }

  /**
   * Requests spread over several starters, as a load balancer would: a request whose starter does
   * not answer (killed) is sent to the next one; with {@code retryUnavailable}, a 503 is retried
   * after 250 ms, as a client honouring {@code Retry-After} would. Only the final answer counts.
   */
  ActivationLoad(
      List<URI> starters,
      boolean retryUnavailable,
      List<String> experimentIds,
      int duplicates,
      int clients,
      long seed) {
    this.uris = starters.stream().map(u -> u.resolve(PATH)).toList();
    this.retryUnavailable = retryUnavailable;
    List<String> all = new ArrayList<>();
    for (int d = 0; d < duplicates; d++) {
      all.addAll(experimentIds);
    }
    Collections.shuffle(all, new Random(seed));
    this.requests = List.copyOf(all);
    this.clients = clients;
  }

  ActivationLoad start() {
    pool = Executors.newFixedThreadPool(clients);
    for (int t = 0; t < clients; t++) {
      workers.add(pool.submit(this::drain));
    }
    return this;
  }

  private void drain() {
    for (int i = next.getAndIncrement(); i < requests.size(); i = next.getAndIncrement()) {
      String id = requests.get(i);
      String outcome;
      int status = -1;
      long deadline = System.nanoTime() + RETRY_FOR.toNanos();
      for (int attempt = 0; ; attempt++) {
        URI uri = uris.get((i + attempt) % uris.size());
        try {
          status = send(uri, id);
          outcome = Integer.toString(status);
          if (status == 503 && retryUnavailable && System.nanoTime() < deadline) {
            unavailable.increment();
            Thread.sleep(250);
            continue;
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (Exception e) {
          outcome = "no answer: " + e.getClass().getSimpleName();
          if (uris.size() > 1 && System.nanoTime() < deadline) {
            failedOver.increment();
            continue;
          }
        }
        break;
      }
      byStatus.computeIfAbsent(outcome, k -> new LongAdder()).increment();
      statusesByExperiment
          .computeIfAbsent(id, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(status);
      answered.incrementAndGet();
    }
  }

  private int send(URI uri, String id) throws Exception {
    return http.send(
            activationPost(uri, activateBody(id), REQUEST_TIMEOUT),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  /** 503 answers that were retried (the final answers are in {@link #statusCounts()}). */
  long unavailableRetried() {
    return unavailable.sum();
  }

  /** Requests sent again to another starter because theirs did not answer. */
  long failedOver() {
    return failedOver.sum();
  }

  int total() {
    return requests.size();
  }

  int answered() {
    return answered.get();
  }

  /** Waits until {@code count} requests were answered (or {@code timeout}); true if they were. */
  boolean awaitAnswered(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (answered.get() < count) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Waits for every request to be answered; fails if that takes longer than {@code timeout}. */
  Map<String, Long> finish(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Future<?> worker : workers) {
      worker.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    pool.shutdown();
    return statusCounts();
  }

  /** Answers so far by HTTP status (or "no answer: ..."). */
  Map<String, Long> statusCounts() {
    Map<String, Long> counts = new TreeMap<>();
    byStatus.forEach((k, v) -> counts.put(k, v.sum()));
    return counts;
  }

  /** Statuses each experiment received, in answer order. */
  Map<String, List<Integer>> statusesByExperiment() {
    return statusesByExperiment;
  }

  void abort() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
