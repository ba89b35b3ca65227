package dev.abtest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.AddSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.api.operatorservice.v1.OperatorServiceGrpc;
import io.temporal.common.SearchAttributeKey;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Against a gRPC server answering the OperatorService the way the servers we meet do: one that
 * already has the attributes, one that lacks some, and one that refuses (Temporal Cloud with a
 * namespace API key answers PERMISSION_DENIED).
 */
class SearchAttributeSetupTest {
  private static final IndexedValueType KEYWORD = IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;

  /** What a caller asks for: the names and types come from the keys. */
  private static final List<SearchAttributeKey<?>> WANTED =
      List.of(
          SearchAttributeKey.forKeyword("ExperimentId"),
          SearchAttributeKey.forKeyword("ActivationOutcome"),
          SearchAttributeKey.forOffsetDateTime("ActivationScheduledFor"));

  private final List<AddSearchAttributesRequest> added = new CopyOnWriteArrayList<>();
  private Server server;
  private WorkflowServiceStubs stubs;

  @AfterEach
  void stop() throws InterruptedException {
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void attributesAlreadyThereAreLeftAlone() throws Exception {
    start(
        existing(
            Map.of(
                "ExperimentId",
                KEYWORD,
                "ActivationOutcome",
                KEYWORD,
                "ActivationScheduledFor",
                IndexedValueType.INDEXED_VALUE_TYPE_DATETIME)),
        null);
    assertThat(setup().ensure(WANTED)).isEqualTo(SearchAttributeSetup.Result.PRESENT);
    assertThat(added).isEmpty();
  }

  @Test
  void onlyTheMissingAttributesAreAddedWithTheirTypes() throws Exception {
    start(
        existing(
            Map.of(
                "ExperimentId",
                KEYWORD,
                "ActivationScheduledFor",
                IndexedValueType.INDEXED_VALUE_TYPE_DATETIME)),
        null);
    assertThat(setup().ensure(WANTED)).isEqualTo(SearchAttributeSetup.Result.ADDED);
    assertThat(added)
        .singleElement()
        .satisfies(
            request -> {
              assertThat(request.getNamespace()).isEqualTo("experiments");
              assertThat(request.getSearchAttributesMap())
                  .containsExactly(Map.entry("ActivationOutcome", KEYWORD));
            });
  }

  @Test
  void aServerThatRefusesIsReportedNotThrown() throws Exception {
    start(null, Status.PERMISSION_DENIED.withDescription("namespace API keys cannot do that"));
    assertThat(setup().ensure(WANTED)).isEqualTo(SearchAttributeSetup.Result.NOT_ALLOWED);
  }

  private SearchAttributeSetup setup() {
    return new SearchAttributeSetup(
        stubs, "experiments", Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  private static ListSearchAttributesResponse existing(Map<String, IndexedValueType> custom) {
    return ListSearchAttributesResponse.newBuilder().putAllCustomAttributes(custom).build();
  }

  /** {@code listed} null: listing is refused with {@code refusal} too. */
  private void start(ListSearchAttributesResponse listed, Status refusal) throws Exception {
    OperatorServiceGrpc.OperatorServiceImplBase operator =
        new OperatorServiceGrpc.OperatorServiceImplBase() {
          @Override
          public void listSearchAttributes(
              ListSearchAttributesRequest request,
              StreamObserver<ListSearchAttributesResponse> response) {
            if (listed == null) {
              response.onError(refusal.asRuntimeException());
              return;
            }
            response.onNext(listed);
            response.onCompleted();
          }

          @Override
          public void addSearchAttributes(
              AddSearchAttributesRequest request,
              StreamObserver<AddSearchAttributesResponse> response) {
            if (refusal != null) {
              response.onError(refusal.asRuntimeException());
              return;
            }
            added.add(request);
            response.onNext(AddSearchAttributesResponse.getDefaultInstance());
            response.onCompleted();
          }
        };
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(operator)
            .build()
            .start();
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder()
                .setTarget("127.0.0.1:" + server.getPort())
                .build());
  }
}
