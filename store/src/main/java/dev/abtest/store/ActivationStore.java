package dev.abtest.store;

import dev.abtest.activation.ActivationResult;
import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.Violation;
import dev.abtest.activation.ViolationCode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The business operations of an activation on the database: read an experiment, activate it once,
 * read its history. Database errors propagate as exceptions, so that Temporal retries the attempt.
 */
public final class ActivationStore {
  /** Upper bound of a history page. */
  public static final int MAX_PAGE_SIZE = 500;

  // Re-reads after a row changed between the conditional write and the read that explains it.
  private static final int MAX_ROUNDS = 3;

  private final ExperimentRows experiments;
  private final AuditRows audit;

  public ActivationStore(Jdbi jdbi) {
    Objects.requireNonNull(jdbi, "jdbi");
    this.experiments = jdbi.onDemand(ExperimentRows.class);
    this.audit = jdbi.onDemand(AuditRows.class);
  }

  /** The experiment with this id, or empty. */
  public Optional<Experiment> find(String experimentId) {
    return experiments.findById(experimentId);
  }

  /**
   * Activates the experiment if it is PENDING or STOPPED, recording the transition for this
   * workflow run; idempotent per run. The outcome is:
   *
   * <ul>
   *   <li>ACTIVATED: this call made the transition, or an earlier attempt of the same run did (its
   *       reply was lost); then nothing is written and the recorded status and time are reported;
   *   <li>NOT_FOUND: no such experiment;
   *   <li>ALREADY_ACTIVE: someone else activated it; nothing written;
   *   <li>REJECTED (STATUS_TERMINAL): it is COMPLETED or FAILED; nothing written.
   * </ul>
   *
   * Configuration rules are not checked here: the validation activity does that before.
   */
  public ActivationResult activate(
      String experimentId, String requestedBy, String workflowId, String runId) {
    return activate(experimentId, requestedBy, workflowId, runId, null);
  }

  /**
   * As {@link #activate(String, String, String, String)}, recording {@code writeAttempts} (how many
   * attempts the write took, this one included; null when unknown) in the ACTIVATED record.
   */
  public ActivationResult activate(
      String experimentId,
      String requestedBy,
      String workflowId,
      String runId,
      Integer writeAttempts) {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(runId, "runId");
    for (int round = 1; round <= MAX_ROUNDS; round++) {
      Optional<ActivatedRow> activated =
          experiments.activateAndAudit(experimentId, workflowId, runId, requestedBy, writeAttempts);
      if (activated.isPresent()) {
        ActivatedRow row = activated.get();
        return ActivationResult.activated(
            row.experiment(), row.previousStatus(), row.activatedAt());
      }

      Optional<AuditRecord> committed = audit.findByRun(workflowId, runId);
      Optional<Experiment> current = experiments.findById(experimentId);
      if (committed.isPresent()) {
        AuditRecord record = committed.get();
        return current
            .map(
                row ->
                    ActivationResult.activated(row, record.previousStatus(), record.activatedAt()))
            // The run's transition is recorded, but the row has been deleted since.
            .orElseGet(() -> ActivationResult.notFound(experimentId));
      }
      if (current.isEmpty()) {
        return ActivationResult.notFound(experimentId);
      }
      Experiment row = current.get();
      switch (row.status()) {
        case ACTIVE:
          return ActivationResult.alreadyActive(row);
        case COMPLETED:
        case FAILED:
          return ActivationResult.rejected(
              experimentId,
              row,
              List.of(
                  new Violation(
                      ViolationCode.STATUS_TERMINAL,
                      "status is " + row.status() + ", which is final: it cannot become ACTIVE")));
        case PENDING:
        case STOPPED:
          // It was ACTIVE during the write and was stopped just since: try again.
          continue;
        default:
          throw new IllegalStateException("Unhandled status " + row.status());
      }
    }
    throw new IllegalStateException(
        "Experiment " + experimentId + " kept changing status during activation; retry later");
  }

  /**
   * Records a decision that writes no experiment row (ALREADY_ACTIVE, REJECTED, SCHEDULED,
   * RESCHEDULED, CANCELLED) for a workflow run, once per {@code decisionKey}: a retry with the same
   * key adds nothing and returns the record the first call made (whatever the retry passed).
   *
   * @param decisionKey what identifies this decision within the run, stable across retries (the
   *     activity id of the recording activity, say); never {@link AuditRecord#ACTIVATION_KEY}
   * @return the record as stored
   */
  public AuditRecord recordDecision(
      Decision decision, String workflowId, String runId, String decisionKey) {
    Objects.requireNonNull(decision, "decision");
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(decisionKey, "decisionKey");
    if (decisionKey.equals(AuditRecord.ACTIVATION_KEY)) {
      throw new IllegalArgumentException("decisionKey " + decisionKey + " is reserved");
    }
    audit.recordDecision(
        decision.experimentId(),
        workflowId,
        runId,
        decision.requestedBy(),
        decision.previousStatus() == null ? null : decision.previousStatus().name(),
        decision.outcome().name(),
        AuditRecordMapper.codesText(
            decision.violations().stream().map(ViolationCode::name).toList()),
        decision.writeAttempts(),
        AuditRecordMapper.utc(decision.scheduledFor()),
        decisionKey);
    return audit
        .findByKey(workflowId, runId, decisionKey)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "The decision " + decisionKey + " of run " + runId + " was not recorded"));
  }

  /** Records of an experiment's decisions, newest first, {@code limit} (1..500) per page. */
  public AuditPage history(String experimentId, int limit, AuditCursor after) {
    return history(experimentId, null, limit, after);
  }

  /**
   * Records of an experiment's decisions with this outcome (null: every outcome), newest first,
   * {@code limit} (1..500) per page.
   */
  public AuditPage history(
      String experimentId, DecisionOutcome outcome, int limit, AuditCursor after) {
    if (limit < 1 || limit > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("limit must be between 1 and " + MAX_PAGE_SIZE);
    }
    // One extra row tells whether a next page exists.
    List<AuditRecord> rows = audit.listByExperiment(experimentId, outcome, limit + 1, after);
    if (rows.size() <= limit) {
      return new AuditPage(rows, Optional.empty());
    }
    List<AuditRecord> page = rows.subList(0, limit);
    return new AuditPage(page, Optional.of(page.get(limit - 1).cursor()));
  }

  /** How many activations (ACTIVATED records) of the experiment are recorded. */
  public long countActivations(String experimentId) {
    return audit.countByExperiment(experimentId);
  }
}
