-- The one write of an activation, in one statement and therefore one transaction: set the experiment
-- ACTIVE if it is PENDING or STOPPED, and record the transition in the audit table.
--
-- Race-free under READ COMMITTED: "prev" locks the row (FOR UPDATE). A concurrent activation waits for
-- that lock; once the first commits, PostgreSQL hands the waiter the row's new version (status ACTIVE),
-- the condition on prev.status fails, and the waiter updates and records nothing.
-- The NOT EXISTS makes a retry of a run that already committed a no-op, even if the row was stopped
-- again since; the caller then finds that run's ACTIVATED record (the partial unique index
-- experiment_activation_audit_one_activation_per_run enforces "at most one" besides).
WITH clock AS (
    SELECT date_trunc('milliseconds', now() AT TIME ZONE 'UTC') AS now_utc
),
prev AS (
    SELECT id, status
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
           activated_at, activated_at, CAST(:writeAttempts AS integer), 'ACTIVATED'
      FROM activated
)
SELECT * FROM activated
