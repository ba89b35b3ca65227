package dev.abtest.store;

import dev.abtest.activation.Decision;
import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.Experiment;
import dev.abtest.activation.SnapshotWrite;
import dev.abtest.activation.ViolationCode;
import dev.abtest.activation.WriteResult;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The database operations of an activation: read an experiment, write its activation once (and
 * report what the write did, not a business outcome: the rules are decided in {@code
 * ActivationRules}), record decisions, read its history. Database errors propagate as exceptions,
 * so that Temporal retries the attempt.
 */
public final class ActivationStore {
  /** Upper bound of a history page. */
  public static final int MAX_PAGE_SIZE = 500;

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
   * The validated-snapshot write: sets the experiment ACTIVE (and records the transition for this
   * workflow run, in the same transaction) only while its row still holds the status, {@code
   * configuration} and {@code endDate} in {@code write}, and only from an activatable status.
   * Idempotent per run. Reports what the write did, not a business outcome:
   *
   * <ul>
   *   <li>WRITTEN: this call made the transition;
   *   <li>ALREADY_WRITTEN_BY_THIS_RUN: an earlier attempt of the same run did (its reply was lost);
   *       nothing written, the run's recorded status and time are reported with the current row;
   *   <li>ROW_CHANGED: the row no longer holds the snapshot (or is not activatable); nothing
   *       written, the current row reported;
   *   <li>NOT_FOUND: no such row.
   * </ul>
   *
   * @param writeAttempts the attempts the write has taken, this one included (recorded in the
   *     ACTIVATED record)
   */
  public WriteResult activateIfUnchanged(
      SnapshotWrite write, String workflowId, String runId, int writeAttempts) {
    Objects.requireNonNull(write, "write");
    Objects.requireNonNull(write.experimentId(), "experimentId");
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(runId, "runId");
    if (write.expectedStatus() == null
        || write.expectedConfiguration() == null
        || write.expectedEndDate() == null) {
      throw new IllegalArgumentException(
          "the snapshot needs the approved status, configuration and endDate");
    }
    Optional<ActivatedRow> activated =
        experiments.activateSnapshotAndAudit(
            write.experimentId(),
            write.expectedStatus().name(),
            write.expectedConfiguration().toString(),
            AuditRecordMapper.utc(write.expectedEndDate()),
            workflowId,
            runId,
            write.requestedBy(),
            writeAttempts);
    return explain(write.experimentId(), workflowId, runId, activated)
        .withWriteAttempts(writeAttempts);
  }

  /**
   * The write of runs started before the validated-snapshot write: conditional on an activatable
   * status alone, otherwise as {@link #activateIfUnchanged}. Kept for such runs, replayed on this
   * worker.
   *
   * @param writeAttempts recorded in the ACTIVATED record; null when unknown
   */
  public WriteResult activateIfActivatable(
      String experimentId,
      String requestedBy,
      String workflowId,
      String runId,
      Integer writeAttempts) {
    Objects.requireNonNull(experimentId, "experimentId");
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(runId, "runId");
    Optional<ActivatedRow> activated =
        experiments.activateAndAudit(experimentId, workflowId, runId, requestedBy, writeAttempts);
    return explain(experimentId, workflowId, runId, activated)
        .withWriteAttempts(writeAttempts == null ? 0 : writeAttempts);
  }

  /** What a conditional write did, reading the run's record and the row when it wrote nothing. */
  private WriteResult explain(
      String experimentId, String workflowId, String runId, Optional<ActivatedRow> activated) {
    if (activated.isPresent()) {
      ActivatedRow row = activated.get();
      return WriteResult.written(row.experiment(), row.previousStatus(), row.activatedAt());
    }
    Optional<AuditRecord> committed = audit.findByRun(workflowId, runId);
    Optional<Experiment> current = experiments.findById(experimentId);
    if (committed.isPresent()) {
      AuditRecord record = committed.get();
      // The row may have been deleted since the run's transition: then reported as null.
      return WriteResult.alreadyWrittenByThisRun(
          current.orElse(null), record.previousStatus(), record.activatedAt());
    }
    return current.map(WriteResult::rowChanged).orElseGet(WriteResult::notFound);
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
}
