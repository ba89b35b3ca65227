package dev.abtest.store;

import dev.abtest.activation.DecisionOutcome;
import dev.abtest.activation.ExperimentStatus;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * SQL the tests need and production does not: records written as given (a history at chosen times)
 * and a count of transitions. Each statement is in {@code AuditRowsForTests/<method>.sql} beside
 * this class in the test resources.
 */
@UseClasspathSqlLocator
public interface AuditRowsForTests {

  /** An ACTIVATED record as the write makes it. */
  static AuditRecord activated(
      String experimentId,
      String workflowId,
      String runId,
      String requestedBy,
      ExperimentStatus previousStatus,
      Instant activatedAt,
      Integer writeAttempts) {
    return new AuditRecord(
        0,
        experimentId,
        workflowId,
        runId,
        requestedBy,
        previousStatus,
        DecisionOutcome.ACTIVATED,
        List.of(),
        activatedAt,
        activatedAt,
        writeAttempts,
        null,
        AuditRecord.ACTIVATION_KEY);
  }

  /** Inserts a record as given (its {@code id} is ignored) and returns the id the database gave. */
  default long insert(AuditRecord record) {
    return insert(
        record.experimentId(),
        record.workflowId(),
        record.runId(),
        record.requestedBy(),
        record.previousStatus() == null ? null : record.previousStatus().name(),
        record.outcome().name(),
        AuditRecordMapper.codesText(record.violationCodes()),
        AuditRecordMapper.utc(record.decidedAt()),
        AuditRecordMapper.utc(record.activatedAt()),
        record.writeAttempts(),
        AuditRecordMapper.utc(record.scheduledFor()),
        record.decisionKey());
  }

  @SqlUpdate
  @GetGeneratedKeys("id")
  long insert(
      @Bind("experimentId") String experimentId,
      @Bind("workflowId") String workflowId,
      @Bind("runId") String runId,
      @Bind("requestedBy") String requestedBy,
      @Bind("previousStatus") String previousStatus,
      @Bind("outcome") String outcome,
      @Bind("violationCodes") String violationCodes,
      @Bind("decidedAt") LocalDateTime decidedAt,
      @Bind("activatedAt") LocalDateTime activatedAt,
      @Bind("writeAttempts") Integer writeAttempts,
      @Bind("scheduledFor") LocalDateTime scheduledFor,
      @Bind("decisionKey") String decisionKey);

  /** How many ACTIVATED records the experiment has. */
  @SqlQuery
  long countActivations(@Bind("experimentId") String experimentId);
}
