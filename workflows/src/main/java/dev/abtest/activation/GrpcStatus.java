package dev.abtest.activation;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;

/** The gRPC status behind a Temporal client failure: the one reading of it the project has. */
public final class GrpcStatus {
  private GrpcStatus() {}

  /** The gRPC status code somewhere in the cause chain (either exception type), or null. */
  public static Status.Code codeOf(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException status) {
        return status.getStatus().getCode();
      }
      if (t instanceof StatusException status) {
        return status.getStatus().getCode();
      }
    }
    return null;
  }
}
