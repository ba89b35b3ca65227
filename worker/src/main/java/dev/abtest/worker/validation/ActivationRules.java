package dev.abtest.worker.validation;

import com.fasterxml.jackson.databind.JsonNode;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.ValidationReport.Verdict;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The contract's activation rules, as a pure function of an experiment row (or its absence) and the
 * current time: the one place where not found, already active, terminal, configuration and end date
 * are decided ({@link #decide}). Every broken rule is reported, not just the first, so one answer
 * tells the caller all to fix. The activatable statuses are {@link
 * dev.abtest.activation.ExperimentStatus#isActivatable()}, the same as the write's SQL condition.
 *
 * <p>Positions in messages count from 1 ("variant #2" is {@code variants[1]}). Variant names are
 * compared after trimming and case-sensitively: {@code "control"} and {@code " control"} are
 * duplicates, {@code "Control"} and {@code "control"} are not.
 */
public final class ActivationRules {
  /** How far the weights may sum from exactly 1. */
  public static final double SUM_TOLERANCE = 1e-6;

  public static final int MIN_VARIANTS = 2;

  private ActivationRules() {}

  /**
   * The verdict on activating {@code row} at {@code now}: NOT_FOUND when there is no row,
   * ALREADY_ACTIVE when it is ACTIVE, REJECTED with every violation (terminal status,
   * configuration, end date) when there is any, else VALID.
   */
  public static ValidationReport decide(Optional<Experiment> row, Instant now) {
    return presence(row)
        .orElseGet(
            () -> {
              // A terminal status is one violation among the others: the answer lists them all.
              List<Violation> violations = check(row.get(), now);
              return violations.isEmpty()
                  ? new ValidationReport(Verdict.VALID, row.get(), List.of())
                  : new ValidationReport(Verdict.REJECTED, row.get(), violations);
            });
  }

  /**
   * The verdict the status alone decides, for the write of runs made before the validated snapshot
   * (which checked nothing else): NOT_FOUND, ALREADY_ACTIVE, or REJECTED for a terminal status (its
   * one violation); empty when the status is activatable.
   */
  public static Optional<ValidationReport> decideStatus(Optional<Experiment> row) {
    return presence(row)
        .or(
            () -> {
              ExperimentStatus status = row.get().status();
              return status != null && status.isActivatable()
                  ? Optional.empty()
                  : Optional.of(
                      new ValidationReport(
                          Verdict.REJECTED, row.get(), List.of(statusViolation(status))));
            });
  }

  /** NOT_FOUND without a row, ALREADY_ACTIVE for an ACTIVE one; empty when the rules decide. */
  private static Optional<ValidationReport> presence(Optional<Experiment> row) {
    if (row.isEmpty()) {
      return Optional.of(new ValidationReport(Verdict.NOT_FOUND, null, List.of()));
    }
    if (row.get().status() == ExperimentStatus.ACTIVE) {
      return Optional.of(new ValidationReport(Verdict.ALREADY_ACTIVE, row.get(), List.of()));
    }
    return Optional.empty();
  }

  private static Violation statusViolation(ExperimentStatus status) {
    return new Violation(
        ViolationCode.STATUS_TERMINAL,
        "status is " + status + ", which is final: it cannot become ACTIVE");
  }

  /**
   * Every violation of the activation rules by {@code experiment} at {@code now}; empty if none.
   */
  public static List<Violation> check(Experiment experiment, Instant now) {
    List<Violation> violations = new ArrayList<>();
    ExperimentStatus status = experiment.status();
    if (status == null || (status != ExperimentStatus.ACTIVE && !status.isActivatable())) {
      violations.add(statusViolation(status));
    }
    checkConfiguration(experiment.configuration(), violations);
    checkEndDate(experiment.endDate(), now, violations);
    return List.copyOf(violations);
  }

  private static void checkConfiguration(JsonNode configuration, List<Violation> violations) {
    if (configuration == null || !configuration.isObject()) {
      violations.add(
          malformed(
              "configuration must be a JSON object with 'variants' and 'distribution' arrays, got "
                  + describe(configuration)));
      return;
    }
    JsonNode variants = configuration.get("variants");
    JsonNode distribution = configuration.get("distribution");
    boolean variantsUsable = requireArray(variants, "variants", violations);
    boolean distributionUsable = requireArray(distribution, "distribution", violations);
    if (variantsUsable) {
      checkVariants(variants, violations);
    }
    if (distributionUsable) {
      if (variantsUsable && distribution.size() != variants.size()) {
        violations.add(
            new Violation(
                ViolationCode.DISTRIBUTION_LENGTH_MISMATCH,
                "distribution has "
                    + count(distribution.size(), "weight")
                    + " for "
                    + count(variants.size(), "variant")
                    + "; it needs one weight per variant"));
      }
      checkWeights(distribution, violations);
    }
  }

  private static boolean requireArray(JsonNode node, String field, List<Violation> violations) {
    if (node == null || node.isMissingNode()) {
      violations.add(malformed("configuration." + field + " is missing; it must be an array"));
      return false;
    }
    if (!node.isArray()) {
      violations.add(
          malformed("configuration." + field + " must be an array, got " + describe(node)));
      return false;
    }
    return true;
  }

  private static void checkVariants(JsonNode variants, List<Violation> violations) {
    if (variants.size() < MIN_VARIANTS) {
      violations.add(
          new Violation(
              ViolationCode.TOO_FEW_VARIANTS,
              "configuration has "
                  + count(variants.size(), "variant")
                  + "; an experiment needs at least "
                  + MIN_VARIANTS));
    }
    Map<String, Integer> firstPosition = new HashMap<>();
    for (int i = 0; i < variants.size(); i++) {
      JsonNode variant = variants.get(i);
      int position = i + 1;
      if (!variant.isTextual()) {
        violations.add(
            new Violation(
                ViolationCode.BLANK_VARIANT_NAME,
                "variant #" + position + " must be a name (a string), got " + describe(variant)));
        continue;
      }
      String name = variant.asText().strip();
      if (name.isEmpty()) {
        violations.add(
            new Violation(ViolationCode.BLANK_VARIANT_NAME, "variant #" + position + " is blank"));
        continue;
      }
      Integer first = firstPosition.putIfAbsent(name, position);
      if (first != null) {
        violations.add(
            new Violation(
                ViolationCode.DUPLICATE_VARIANT_NAME,
                "variant #"
                    + position
                    + " '"
                    + name
                    + "' appears twice (first as variant #"
                    + first
                    + ")"));
      }
    }
  }

  private static void checkWeights(JsonNode distribution, List<Violation> violations) {
    double sum = 0;
    boolean allNumbers = true;
    for (int i = 0; i < distribution.size(); i++) {
      JsonNode weight = distribution.get(i);
      int position = i + 1;
      if (!weight.isNumber() || !Double.isFinite(weight.doubleValue())) {
        allNumbers = false;
        violations.add(
            new Violation(
                ViolationCode.WEIGHT_OUT_OF_RANGE,
                "weight #"
                    + position
                    + " must be a number between 0 and 1, got "
                    + describe(weight)));
        continue;
      }
      double value = weight.doubleValue();
      if (value < 0 || value > 1) {
        violations.add(
            new Violation(
                ViolationCode.WEIGHT_OUT_OF_RANGE,
                "weight #" + position + " is " + weight.asText() + "; it must be between 0 and 1"));
      }
      sum += value;
    }
    // A sum is only meaningful when every weight is a number.
    if (allNumbers && Math.abs(sum - 1.0) > SUM_TOLERANCE) {
      violations.add(
          new Violation(
              ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE,
              "weights sum to " + sum + "; they must sum to 1 (within " + SUM_TOLERANCE + ")"));
    }
  }

  private static void checkEndDate(Instant endDate, Instant now, List<Violation> violations) {
    if (endDate == null || !endDate.isAfter(now)) {
      violations.add(
          new Violation(
              ViolationCode.END_DATE_NOT_IN_FUTURE,
              "endDate "
                  + endDate
                  + " is not in the future (now "
                  + now
                  + "): an active experiment past its end is never served"));
    }
  }

  private static Violation malformed(String message) {
    return new Violation(ViolationCode.CONFIGURATION_MALFORMED, message);
  }

  private static String count(int n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  /** A short description of a JSON value for messages: its type, and the value when short. */
  private static String describe(JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return "null";
    }
    String type =
        switch (node.getNodeType()) {
          case ARRAY -> "an array";
          case OBJECT -> "an object";
          case BOOLEAN -> "a boolean";
          case NUMBER -> "a number";
          case STRING -> "a string";
          default -> node.getNodeType().name().toLowerCase();
        };
    if (node.isContainerNode()) {
      return type;
    }
    String text = node.toString();
    return type + " (" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + ")";
  }
}
