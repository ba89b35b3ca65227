package dev.abtest.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the process can do its work: every registered {@link ReadinessCheck} passes. Checks run
 * in parallel, each bounded by a timeout, and the report is reused for a short while so that
 * frequent probes (Kubernetes, docker-compose, load balancers) do not hammer the dependencies.
 */
public final class Readiness implements AutoCloseable {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_CACHE_FOR = Duration.ofSeconds(1);

  /** The state of one check in a report. */
  public enum State {
    UP,
    DOWN,
    TIMEOUT
  }

  /** One evaluation: ready when every check is {@link State#UP} (and there is at least one). */
  public record Report(boolean ready, Map<String, State> checks) {
    /** {@code {"status":"UP","checks":{"database":"UP",...}}}. */
    public String toJson() {
      StringBuilder json = new StringBuilder("{\"status\":\"").append(ready ? "UP" : "DOWN");
      json.append("\",\"checks\":{");
      String separator = "";
      for (Map.Entry<String, State> check : checks.entrySet()) {
        // Names are restricted to [A-Za-z0-9_.-] by ReadinessCheck: nothing to escape.
        json.append(separator).append('"').append(check.getKey()).append("\":\"");
        json.append(check.getValue()).append('"');
        separator = ",";
      }
      return json.append("}}").toString();
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Readiness.class);

  private final List<ReadinessCheck> checks = new CopyOnWriteArrayList<>();
  private final Duration timeout;
  private final Duration cacheFor;
  private final LongSupplier nanoClock;
  private final ExecutorService probes;
  private Report cached;
  private long cachedAtNanos;

  public Readiness() {
    this(DEFAULT_TIMEOUT, DEFAULT_CACHE_FOR);
  }

  /** Checks get {@code timeout} each; a report is reused for {@code cacheFor} (zero: never). */
  public Readiness(Duration timeout, Duration cacheFor) {
    this(timeout, cacheFor, System::nanoTime);
  }

  Readiness(Duration timeout, Duration cacheFor, LongSupplier nanoClock) {
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    this.cacheFor = Objects.requireNonNull(cacheFor, "cacheFor");
    this.nanoClock = nanoClock;
    this.probes =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "readiness-check");
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Adds a check; the next report includes it. */
  public Readiness add(ReadinessCheck check) {
    if (checks.stream().anyMatch(existing -> existing.name().equals(check.name()))) {
      throw new IllegalArgumentException("a readiness check named " + check.name() + " exists");
    }
    checks.add(check);
    synchronized (this) {
      cached = null;
    }
    return this;
  }

  public Readiness add(String name, BooleanSupplier probe) {
    return add(ReadinessCheck.of(name, probe));
  }

  /** The current report, evaluated now or reused if younger than the cache time. */
  public synchronized Report report() {
    long now = nanoClock.getAsLong();
    if (cached != null && now - cachedAtNanos < cacheFor.toNanos()) {
      return cached;
    }
    cached = evaluate();
    cachedAtNanos = now;
    return cached;
  }

  public boolean isReady() {
    return report().ready();
  }

  private Report evaluate() {
    List<ReadinessCheck> current = new ArrayList<>(checks);
    List<CompletableFuture<Boolean>> running = new ArrayList<>();
    for (ReadinessCheck check : current) {
      running.add(CompletableFuture.supplyAsync(() -> check.probe().getAsBoolean(), probes));
    }
    long deadline = nanoClock.getAsLong() + timeout.toNanos();
    Map<String, State> states = new LinkedHashMap<>();
    boolean ready = !current.isEmpty();
    for (int i = 0; i < current.size(); i++) {
      State state = await(current.get(i).name(), running.get(i), deadline);
      states.put(current.get(i).name(), state);
      ready &= state == State.UP;
    }
    return new Report(ready, Collections.unmodifiableMap(states));
  }

  private State await(String name, CompletableFuture<Boolean> probe, long deadlineNanos) {
    long remaining = Math.max(0, deadlineNanos - nanoClock.getAsLong());
    try {
      return Boolean.TRUE.equals(probe.get(remaining, TimeUnit.NANOSECONDS))
          ? State.UP
          : State.DOWN;
    } catch (TimeoutException e) {
      probe.cancel(true);
      return State.TIMEOUT;
    } catch (ExecutionException e) {
      log.debug("Readiness check {} failed: {}", name, e.getCause().toString());
      return State.DOWN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return State.DOWN;
    }
  }

  @Override
  public void close() {
    probes.shutdownNow();
  }
}
