package dev.abtest.starter.http;

import dev.abtest.activation.GrpcStatus;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/**
 * Reads what a Temporal client exception means for the caller: the one "Temporal unavailable" check
 * of the HTTP edge and the command line ({@link StatusRuntimeException} and {@link StatusException}
 * alike, anywhere in the cause chain).
 */
public final class TemporalErrors {
  private TemporalErrors() {}

  /**
   * Temporal could not be reached, did not answer in time, or shed the call (a real server answers
   * RESOURCE_EXHAUSTED "Workflow is busy" when too many calls queue on one run's lock, as in a
   * storm of joins): nothing went wrong with the activation, the caller should retry later.
   */
  public static boolean isUnavailable(Throwable error) {
    Status.Code code = grpcCode(error);
    return code == Status.Code.UNAVAILABLE
        || code == Status.Code.DEADLINE_EXCEEDED
        || code == Status.Code.RESOURCE_EXHAUSTED;
  }

  public static boolean isNotFound(Throwable error) {
    return grpcCode(error) == Status.Code.NOT_FOUND;
  }

  /** The gRPC status code somewhere in the cause chain, or null. */
  public static Status.Code grpcCode(Throwable error) {
    return GrpcStatus.codeOf(error);
  }
}
