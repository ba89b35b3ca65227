package dev.abtest.starter;

import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationStoreActivities;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import dev.abtest.store.ActivationStore;
import io.temporal.activity.Activity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

/** TEMPORARY stand-in until the worker's activity implementations land. */
final class InterimActivities implements ValidationActivities, ActivationStoreActivities {
  private final ActivationStore store;

  InterimActivities(ActivationStore store) {
    this.store = store;
  }

  @Override
  public ValidationReport validate(String experimentId) {
    Optional<Experiment> found = store.find(experimentId);
    if (found.isEmpty()) {
      return new ValidationReport(ValidationReport.Verdict.NOT_FOUND, null, List.of());
    }
    Experiment e = found.get();
    if (e.status().name().equals("ACTIVE")) {
      return new ValidationReport(ValidationReport.Verdict.ALREADY_ACTIVE, e, List.of());
    }
    List<Violation> violations = new ArrayList<>();
    if (e.status().isTerminal()) {
      violations.add(new Violation(ViolationCode.STATUS_TERMINAL, "terminal"));
    }
    var variants = e.configuration().get("variants");
    var weights = e.configuration().get("distribution");
    var names = new HashSet<String>();
    double sum = 0;
    for (var v : variants) {
      if (!names.add(v.asText())) {
        violations.add(new Violation(ViolationCode.DUPLICATE_VARIANT_NAME, "dup"));
      }
    }
    for (var w : weights) {
      sum += w.asDouble();
    }
    if (Math.abs(sum - 1) > 1e-6) {
      violations.add(new Violation(ViolationCode.WEIGHTS_DO_NOT_SUM_TO_ONE, "sum"));
    }
    if (!e.endDate().isAfter(Instant.now())) {
      violations.add(new Violation(ViolationCode.END_DATE_NOT_IN_FUTURE, "past"));
    }
    return violations.isEmpty()
        ? new ValidationReport(ValidationReport.Verdict.VALID, e, List.of())
        : new ValidationReport(ValidationReport.Verdict.REJECTED, e, violations);
  }

  @Override
  public ActivationResult activate(ActivationRequest request) {
    var info = Activity.getExecutionContext().getInfo();
    return store.activate(
        request.experimentId(), request.requestedBy(), info.getWorkflowId(), info.getRunId());
  }
}
