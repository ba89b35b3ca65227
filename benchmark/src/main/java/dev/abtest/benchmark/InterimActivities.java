package dev.abtest.benchmark;

import dev.abtest.activation.ActivationRequest;
import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.ActivationStoreActivities;
import dev.abtest.activation.ExperimentStatus;
import dev.abtest.activation.ValidationActivities;
import dev.abtest.activation.ValidationReport;
import dev.abtest.store.ActivationStore;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.util.List;

/** TEMPORARY until the worker's activity implementations land. */
final class InterimActivities {
  static ValidationActivities validation(ActivationStore store) {
    return new V(store);
  }

  static ActivationStoreActivities store(ActivationStore store) {
    return new S(store);
  }

  static final class V implements ValidationActivities {
    private final ActivationStore store;

    V(ActivationStore store) {
      this.store = store;
    }

    @Override
    public ValidationReport validate(String experimentId) {
      return store
          .find(experimentId)
          .map(
              e ->
                  new ValidationReport(
                      e.status() == ExperimentStatus.ACTIVE
                          ? ValidationReport.Verdict.ALREADY_ACTIVE
                          : ValidationReport.Verdict.VALID,
                      e,
                      List.of()))
          .orElse(new ValidationReport(ValidationReport.Verdict.NOT_FOUND, null, List.of()));
    }
  }

  static final class S implements ActivationStoreActivities {
    private final ActivationStore store;

    S(ActivationStore store) {
      this.store = store;
    }

    @Override
    public ActivationResult activate(ActivationRequest request) {
      ActivityInfo info = Activity.getExecutionContext().getInfo();
      return store.activate(
          request.experimentId(), request.requestedBy(), info.getWorkflowId(), info.getRunId());
    }
  }
}
