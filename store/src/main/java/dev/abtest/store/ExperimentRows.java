package dev.abtest.store;

import dev.abtest.activation.Experiment;
import java.time.LocalDateTime;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterRowMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * The SQL on the Prisma {@code "ABTest"} table. Each method's statement is in {@code
 * ExperimentRows/<method>.sql} beside this class.
 */
@UseClasspathSqlLocator
public interface ExperimentRows {

  /** The experiment's columns, or empty when no row has this id. */
  @SqlQuery
  @RegisterRowMapper(ExperimentRowMapper.class)
  Optional<Experiment> findById(@Bind("id") String id);

  /**
   * Sets the experiment ACTIVE if it is PENDING (also setting {@code startDate}) or STOPPED, and
   * inserts the audit row of the transition, in one statement. Empty when nothing was written: the
   * row is missing, not activatable, or this workflow run already recorded its transition.
   */
  @SqlQuery
  @RegisterRowMapper(ActivatedRowMapper.class)
  Optional<ActivatedRow> activateAndAudit(
      @Bind("id") String id,
      @Bind("workflowId") String workflowId,
      @Bind("runId") String runId,
      @Bind("requestedBy") String requestedBy,
      @Bind("writeAttempts") Integer writeAttempts);

  /**
   * Sets the experiment ACTIVE as {@link #activateAndAudit} does, and only while the row still
   * holds {@code expectedStatus}, {@code expectedConfiguration} (compared as jsonb) and {@code
   * expectedEndDate} (exactly). Empty when nothing was written: the row is missing, changed, not
   * activatable, or this workflow run already recorded its transition.
   */
  @SqlQuery
  @RegisterRowMapper(ActivatedRowMapper.class)
  Optional<ActivatedRow> activateSnapshotAndAudit(
      @Bind("id") String id,
      @Bind("expectedStatus") String expectedStatus,
      @Bind("expectedConfiguration") String expectedConfiguration,
      @Bind("expectedEndDate") LocalDateTime expectedEndDate,
      @Bind("workflowId") String workflowId,
      @Bind("runId") String runId,
      @Bind("requestedBy") String requestedBy,
      @Bind("writeAttempts") int writeAttempts);
}
