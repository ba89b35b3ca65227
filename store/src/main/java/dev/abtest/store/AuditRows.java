package dev.abtest.store;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
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

  /** Inserts a record (its {@code id} is ignored) and returns the id the database gave it. */
  default long insert(AuditRecord record) {
    return insert(
        record.experimentId(),
        record.workflowId(),
        record.runId(),
        record.requestedBy(),
        record.previousStatus().name(),
        record.outcome().name(),
        LocalDateTime.ofInstant(record.activatedAt(), ZoneOffset.UTC));
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
      @Bind("activatedAt") LocalDateTime activatedAt);

  /** The transition a workflow run committed, if it did. */
  @SqlQuery
  Optional<AuditRecord> findByRun(
      @Bind("workflowId") String workflowId, @Bind("runId") String runId);

  /**
   * Up to {@code limit} records of an experiment, newest first, after {@code cursor} (null for the
   * first page).
   */
  default List<AuditRecord> listByExperiment(String experimentId, int limit, AuditCursor cursor) {
    if (cursor == null) {
      return listLatest(experimentId, limit);
    }
    return listBefore(
        experimentId,
        LocalDateTime.ofInstant(cursor.activatedAt(), ZoneOffset.UTC),
        cursor.id(),
        limit);
  }

  @SqlQuery
  List<AuditRecord> listLatest(@Bind("experimentId") String experimentId, @Bind("limit") int limit);

  @SqlQuery
  List<AuditRecord> listBefore(
      @Bind("experimentId") String experimentId,
      @Bind("activatedAt") LocalDateTime activatedAt,
      @Bind("id") long id,
      @Bind("limit") int limit);

  @SqlQuery
  long countByExperiment(@Bind("experimentId") String experimentId);
}
