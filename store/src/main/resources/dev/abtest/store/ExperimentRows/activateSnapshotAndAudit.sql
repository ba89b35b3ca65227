-- The one write of an activation, conditional on the row still holding what the validation approved
-- (its status, configuration and endDate), in one statement and therefore one transaction with the
-- ACTIVATED audit record.
--
-- Race-free under READ COMMITTED: "prev" locks the row (FOR UPDATE). A transaction that changed the
-- row meanwhile holds the lock; once it commits, PostgreSQL re-reads the row's newest version for
-- "prev" and re-checks its conditions, so "prev" holds the committed status, configuration and
-- endDate, and a row changed in any of them is not updated (nothing is written or recorded).
-- The activatable statuses are ExperimentStatus.isActivatable() (a test proves them equal).
-- The NOT EXISTS makes a retry of a run that already committed a no-op, even if the row changed
-- since; the caller then finds that run's ACTIVATED record.
WITH clock AS (
    SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS now_utc
),
prev AS (
    SELECT id, status, configuration, "endDate"
      FROM "ABTest"
     WHERE id = :id
       AND NOT EXISTS (SELECT 1
                         FROM experiment_activation_audit
                        WHERE workflow_id = :workflowId
                          AND run_id = :runId
                          AND outcome = 'ACTIVATED')
       FOR UPDATE
),
activated AS (
    UPDATE "ABTest" AS t
       SET status = 'ACTIVE',
           "updatedAt" = clock.now_utc,
           "startDate" = CASE WHEN prev.status = 'PENDING' THEN clock.now_utc ELSE t."startDate" END
      FROM prev, clock
     WHERE t.id = prev.id
       AND prev.status IN ('PENDING', 'STOPPED')
       AND prev.status::text = :expectedStatus
       AND prev.configuration = CAST(:expectedConfiguration AS jsonb)
       AND prev."endDate" = :expectedEndDate
    RETURNING t.id,
              t.name,
              t.description,
              t."startDate"          AS start_date,
              t."endDate"            AS end_date,
              t.status::text         AS status,
              t.configuration::text  AS configuration,
              t."createdAt"          AS created_at,
              t."updatedAt"          AS updated_at,
              prev.status::text      AS previous_status,
              clock.now_utc          AS activated_at
),
audit AS (
    INSERT INTO experiment_activation_audit
           (experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, decided_at,
            activated_at, write_attempts, decision_key)
    SELECT id, :workflowId, :runId, CAST(:requestedBy AS text), previous_status, 'ACTIVATED',
           activated_at, activated_at, :writeAttempts, 'ACTIVATED'
      FROM activated
)
SELECT * FROM activated
