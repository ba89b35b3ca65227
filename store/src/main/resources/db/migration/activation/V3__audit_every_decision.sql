-- The audit records every decision of a run for an existing experiment, not only the committed
-- transitions: ACTIVATED, ALREADY_ACTIVE, REJECTED (with its violation codes) and the schedule's
-- SCHEDULED, RESCHEDULED and CANCELLED. NOT_FOUND is never recorded here.
--
-- Additive on our own table (nothing Prisma owns is touched). Existing rows keep their meaning: each
-- is an ACTIVATED record, decided when it was activated, with no violations and an unknown number
-- of write attempts (NULL).

ALTER TABLE experiment_activation_audit
    -- When the decision was made (for ACTIVATED: the time of the transition, = activated_at).
    ADD COLUMN decided_at      TIMESTAMP(3),
    -- The stable rule codes of a REJECTED decision, in the order the rules reported them.
    ADD COLUMN violation_codes TEXT[] NOT NULL DEFAULT '{}',
    -- How many attempts the write took (the conditional write, retried by Temporal and re-run
    -- after a row changed under it); 0 when the decision needed no write; NULL when unknown.
    ADD COLUMN write_attempts  INTEGER,
    -- The activation time a SCHEDULED or RESCHEDULED decision set; NULL otherwise.
    ADD COLUMN scheduled_for   TIMESTAMP(3),
    -- Makes recording idempotent: a retried attempt of the activity that records one decision
    -- finds its own record (unique per run and key) instead of adding a second one.
    ADD COLUMN decision_key    TEXT NOT NULL DEFAULT 'ACTIVATED';

UPDATE experiment_activation_audit SET decided_at = activated_at WHERE decided_at IS NULL;

ALTER TABLE experiment_activation_audit
    ALTER COLUMN decided_at SET NOT NULL,
    ALTER COLUMN decided_at SET DEFAULT date_trunc('milliseconds', now() AT TIME ZONE 'UTC'),
    ALTER COLUMN decision_key DROP DEFAULT,
    -- Set for ACTIVATED only (the time of the transition).
    ALTER COLUMN activated_at DROP NOT NULL,
    -- A CANCELLED schedule may outlive its experiment's row: the status is then unknown.
    ALTER COLUMN previous_status DROP NOT NULL,
    ADD CONSTRAINT experiment_activation_audit_outcome_check
        CHECK (outcome IN ('ACTIVATED', 'ALREADY_ACTIVE', 'REJECTED',
                           'SCHEDULED', 'RESCHEDULED', 'CANCELLED')),
    ADD CONSTRAINT experiment_activation_audit_activated_at_check
        CHECK ((outcome = 'ACTIVATED') = (activated_at IS NOT NULL)),
    ADD CONSTRAINT experiment_activation_audit_violations_check
        CHECK (outcome = 'REJECTED' OR cardinality(violation_codes) = 0),
    ADD CONSTRAINT experiment_activation_audit_write_attempts_check
        CHECK (write_attempts IS NULL OR write_attempts >= 0);

-- A run now records more than one decision (e.g. SCHEDULED, then ACTIVATED at the time), so the old
-- "one row per run" key becomes one row per run and decision key ...
ALTER TABLE experiment_activation_audit DROP CONSTRAINT experiment_activation_audit_run_key;
ALTER TABLE experiment_activation_audit
    ADD CONSTRAINT experiment_activation_audit_decision_key UNIQUE (workflow_id, run_id, decision_key);

-- ... and "a workflow run commits at most one transition" stays a database constraint.
CREATE UNIQUE INDEX experiment_activation_audit_one_activation_per_run
    ON experiment_activation_audit (workflow_id, run_id)
    WHERE outcome = 'ACTIVATED';

-- History of one experiment, newest decision first, keyset-paged on (decided_at, id); optionally
-- of one outcome.
DROP INDEX experiment_activation_audit_history_idx;
CREATE INDEX experiment_activation_audit_history_idx
    ON experiment_activation_audit (experiment_id, decided_at DESC, id DESC);
CREATE INDEX experiment_activation_audit_outcome_history_idx
    ON experiment_activation_audit (experiment_id, outcome, decided_at DESC, id DESC);
