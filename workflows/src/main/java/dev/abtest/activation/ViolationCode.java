package dev.abtest.activation;

/** Stable codes of the activation rules; clients may match on them, so never rename one. */
public enum ViolationCode {
  /** The experiment id is blank, too long or holds control characters. */
  INVALID_EXPERIMENT_ID,
  /** COMPLETED and FAILED are terminal. */
  STATUS_TERMINAL,
  /**
   * The configuration is not a JSON object with a {@code variants} and a {@code distribution}
   * array.
   */
  CONFIGURATION_MALFORMED,
  /** Fewer than two variants. */
  TOO_FEW_VARIANTS,
  /** A variant name is empty or only whitespace. */
  BLANK_VARIANT_NAME,
  /** Two variants share a name. */
  DUPLICATE_VARIANT_NAME,
  /** {@code distribution} does not have one weight per variant. */
  DISTRIBUTION_LENGTH_MISMATCH,
  /** A weight is below 0, above 1 or not a number. */
  WEIGHT_OUT_OF_RANGE,
  /** The weights do not sum to 1 (within 1e-6). */
  WEIGHTS_DO_NOT_SUM_TO_ONE,
  /** {@code endDate} is now or in the past: the experiment would be active but never served. */
  END_DATE_NOT_IN_FUTURE,
  /** A scheduled {@code activateAt} is not before the experiment's {@code endDate}. */
  ACTIVATE_AT_NOT_BEFORE_END_DATE
}
