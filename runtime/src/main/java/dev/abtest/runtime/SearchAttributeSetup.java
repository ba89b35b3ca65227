package dev.abtest.runtime;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes sure a namespace knows the search attributes a process's workflows set (the caller names
 * them), so runs are findable in the Web UI. Servers that do not let a client add them (Temporal
 * Cloud, restricted API keys) get a warning naming what to add by hand; start-up goes on, and
 * workflows fail only when they set a missing attribute.
 */
public final class SearchAttributeSetup {
  /** What happened: the attributes were there, were added, or could not be checked or added. */
  public enum Result {
    PRESENT,
    ADDED,
    NOT_ALLOWED
  }

  private static final Logger log = LoggerFactory.getLogger(SearchAttributeSetup.class);

  /** How long a server that does not answer yet (starting, or a cold connection) is retried. */
  public static final Duration DEFAULT_RETRY_FOR = Duration.ofSeconds(20);

  private final WorkflowServiceStubs stubs;
  private final String namespace;
  private final Duration timeout;
  private final Duration retryFor;

  /**
   * Each call gets {@code timeout}; an unreachable server is retried for {@link
   * #DEFAULT_RETRY_FOR}.
   */
  public SearchAttributeSetup(WorkflowServiceStubs stubs, String namespace, Duration timeout) {
    this(stubs, namespace, timeout, DEFAULT_RETRY_FOR);
  }

  public SearchAttributeSetup(
      WorkflowServiceStubs stubs, String namespace, Duration timeout, Duration retryFor) {
    this.stubs = stubs;
    this.namespace = namespace;
    this.timeout = timeout;
    this.retryFor = retryFor;
  }

  /**
   * The type as {@code temporal server start-dev --search-attribute NAME=TYPE} and {@code temporal
   * operator search-attribute create --type} spell it: {@code Keyword}, {@code Datetime}, ...
   */
  public static String cliTypeName(IndexedValueType type) {
    return switch (type) {
      case INDEXED_VALUE_TYPE_TEXT -> "Text";
      case INDEXED_VALUE_TYPE_KEYWORD -> "Keyword";
      case INDEXED_VALUE_TYPE_INT -> "Int";
      case INDEXED_VALUE_TYPE_DOUBLE -> "Double";
      case INDEXED_VALUE_TYPE_BOOL -> "Bool";
      case INDEXED_VALUE_TYPE_DATETIME -> "Datetime";
      case INDEXED_VALUE_TYPE_KEYWORD_LIST -> "KeywordList";
      default -> throw new IllegalArgumentException("no CLI name for " + type);
    };
  }

  /**
   * Adds those of {@code keys} the namespace lacks, each with its key's type; as {@link
   * #ensure(Map)}.
   */
  public Result ensure(Collection<? extends SearchAttributeKey<?>> keys) {
    return ensure(types(keys));
  }

  /** Name to type of each key, in the keys' order. */
  public static Map<String, IndexedValueType> types(
      Collection<? extends SearchAttributeKey<?>> keys) {
    return keys.stream()
        .collect(
            Collectors.toMap(
                SearchAttributeKey::getName,
                SearchAttributeKey::getValueType,
                (first, second) -> first,
                LinkedHashMap::new));
  }

  /**
   * Adds those of {@code wanted} the namespace lacks. Never throws for a server that refuses;
   * throws {@link StatusRuntimeException} only when the server cannot be reached within the retry
   * time.
   */
  public Result ensure(Map<String, IndexedValueType> wanted) {
    // Its own stubs with the same target, TLS and API key; closed right after.
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder(stubs.getOptions()).build());
    long deadline = System.nanoTime() + retryFor.toNanos();
    try {
      while (true) {
        try {
          Map<String, IndexedValueType> missing = missing(operator, wanted);
          if (missing.isEmpty()) {
            log.info("Search attributes {} present in namespace {}", wanted.keySet(), namespace);
            return Result.PRESENT;
          }
          return add(operator, missing);
        } catch (StatusRuntimeException e) {
          if (!isTransient(e) || System.nanoTime() > deadline) {
            throw e;
          }
          log.debug("Temporal not answering yet ({}); retrying", e.getStatus().getCode());
          sleep(Duration.ofMillis(500));
        }
      }
    } finally {
      operator.shutdown();
      operator.awaitTermination(2, TimeUnit.SECONDS);
    }
  }

  private Map<String, IndexedValueType> missing(
      OperatorServiceStubs operator, Map<String, IndexedValueType> wanted) {
    ListSearchAttributesResponse existing;
    try {
      existing =
          operator
              .blockingStub()
              .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
              .listSearchAttributes(
                  ListSearchAttributesRequest.newBuilder().setNamespace(namespace).build());
    } catch (StatusRuntimeException e) {
      if (isRefusal(e)) {
        // Some servers (the Java test server) add but do not list: try adding all of them.
        log.debug("Cannot list search attributes ({}); adding them all", e.getStatus().getCode());
        return new LinkedHashMap<>(wanted);
      }
      throw e;
    }
    Map<String, IndexedValueType> missing = new LinkedHashMap<>();
    wanted.forEach(
        (name, type) -> {
          if (!existing.getCustomAttributesMap().containsKey(name)
              && !existing.getSystemAttributesMap().containsKey(name)) {
            missing.put(name, type);
          }
        });
    return missing;
  }

  private Result add(OperatorServiceStubs operator, Map<String, IndexedValueType> missing) {
    try {
      operator
          .blockingStub()
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .addSearchAttributes(
              AddSearchAttributesRequest.newBuilder()
                  .setNamespace(namespace)
                  .putAllSearchAttributes(missing)
                  .build());
      log.info("Search attributes {} added to namespace {}", missing.keySet(), namespace);
      return Result.ADDED;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.ALREADY_EXISTS) {
        log.info("Search attributes {} present in namespace {}", missing.keySet(), namespace);
        return Result.PRESENT;
      }
      if (isRefusal(e)) {
        String first = missing.keySet().iterator().next();
        log.warn(
            "Could not add search attributes {} to namespace {} ({}): add them ({}), e.g."
                + " `temporal operator search-attribute create --namespace {} --name {} --type {}`,"
                + " or in the Temporal Cloud UI; runs that set them fail until they exist",
            missing.keySet(),
            namespace,
            e.getStatus().getCode(),
            missing.entrySet().stream()
                .map(entry -> entry.getKey() + " " + cliTypeName(entry.getValue()))
                .collect(Collectors.joining(", ")),
            namespace,
            first,
            cliTypeName(missing.get(first)));
        return Result.NOT_ALLOWED;
      }
      throw e;
    }
  }

  private static boolean isTransient(StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
  }

  private static void sleep(Duration pause) {
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while setting up search attributes", e);
    }
  }

  private static boolean isRefusal(StatusRuntimeException e) {
    return switch (e.getStatus().getCode()) {
      case PERMISSION_DENIED,
          UNIMPLEMENTED,
          UNAUTHENTICATED,
          FAILED_PRECONDITION,
          INVALID_ARGUMENT ->
          true;
      default -> false;
    };
  }
}
