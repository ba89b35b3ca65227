package dev.abtest.starter.http;

import dev.abtest.activation.ActivationResult;
import java.util.Map;

/**
 * The contract's answer to a decided activation, as a pure function of the result: the row for
 * ACTIVATED (200), the contract's error for the rest (404, 409, 422; 503 for a schedule cancelled
 * under the request twice in a row).
 */
final class OutcomeAnswers {
  private OutcomeAnswers() {}

  /**
   * The {@code data} of a 200 for an activation.
   *
   * @throws ApiError with the contract's code for every other outcome
   */
  static Object answerFor(ActivationResult result) {
    return switch (result.outcome()) {
      case ACTIVATED -> Json.toTree(result.experiment());
      case NOT_FOUND -> throw new ApiError(ErrorCode.NOT_FOUND);
      case ALREADY_ACTIVE -> throw new ApiError(ErrorCode.ALREADY_ACTIVE);
      case REJECTED -> throw new ApiError(ErrorCode.REJECTED, result.violations());
      case CANCELLED ->
          // A cancellation won a race with this request twice in a row: nothing was changed.
          throw new ApiError(
              ErrorCode.UNAVAILABLE,
              "The schedule changed concurrently; try again",
              null,
              Map.of("Retry-After", "1"));
    };
  }
}
