package dev.abtest.store;

import dev.abtest.activation.DecisionOutcome;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The SQL on {@code experiment_activation_audit}. Each method's statement is in {@code
 * AuditRows/<method>.sql} beside this class. Times are bound as UTC local date-times, matching the
 * {@code TIMESTAMP(3)} columns whatever the JVM's time zone.
 */
@UseClasspathSqlLocator
@RegisterRowMapper(AuditRecordMapper.class)
public interface AuditRows {

  /**
   * Inserts a decision at the database's clock unless the run already recorded one under this key.
   *
   * @return 1 when inserted, 0 when the key was already recorded
   */
  @SqlUpdate
  int recordDecision(
      @Bind("experimentId") String experimentId,
      @Bind("workflowId") String workflowId,
      @Bind("runId") String runId,
      @Bind("requestedBy") String requestedBy,
      @Bind("previousStatus") String previousStatus,
      @Bind("outcome") String outcome,
      @Bind("violationCodes") String violationCodes,
      @Bind("writeAttempts") Integer writeAttempts,
      @Bind("scheduledFor") LocalDateTime scheduledFor,
      @Bind("decisionKey") String decisionKey);

  /** The transition a workflow run committed (its ACTIVATED record), if it did. */
  @SqlQuery
  Optional<AuditRecord> findByRun(
      @Bind("workflowId") String workflowId, @Bind("runId") String runId);

  /** The record a workflow run made under a decision key, if any. */
  @SqlQuery
  Optional<AuditRecord> findByKey(
      @Bind("workflowId") String workflowId,
      @Bind("runId") String runId,
      @Bind("decisionKey") String decisionKey);

  /**
   * Up to {@code limit} records of an experiment, newest first, after {@code cursor} (null for the
   * first page), of one outcome or (null) all.
   */
  default List<AuditRecord> listByExperiment(
      String experimentId, DecisionOutcome outcome, int limit, AuditCursor cursor) {
    String label = outcome == null ? null : outcome.name();
    if (cursor == null) {
      return listLatest(experimentId, label, limit);
    }
    return listBefore(
        experimentId, label, AuditRecordMapper.utc(cursor.decidedAt()), cursor.id(), limit);
  }

  @SqlQuery
  List<AuditRecord> listLatest(
      @Bind("experimentId") String experimentId,
      @Bind("outcome") String outcome,
      @Bind("limit") int limit);

  @SqlQuery
  List<AuditRecord> listBefore(
      @Bind("experimentId") String experimentId,
      @Bind("outcome") String outcome,
      @Bind("decidedAt") LocalDateTime decidedAt,
      @Bind("id") long id,
      @Bind("limit") int limit);
}
