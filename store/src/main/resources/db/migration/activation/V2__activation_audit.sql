-- One row per committed activation: who asked, from which status, when, and from which workflow run.
-- No foreign key to "ABTest": the original application may delete an experiment, its history stays.

CREATE TABLE experiment_activation_audit (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    experiment_id   TEXT NOT NULL,
    workflow_id     TEXT NOT NULL,
    run_id          TEXT NOT NULL,
    requested_by    TEXT,
    previous_status TEXT NOT NULL,
    outcome         TEXT NOT NULL,
    activated_at    TIMESTAMP(3) NOT NULL,
    -- A workflow run commits at most one transition: a retried attempt finds its own row here.
    CONSTRAINT experiment_activation_audit_run_key UNIQUE (workflow_id, run_id)
);

-- History of one experiment, newest first, keyset-paged on (activated_at, id).
CREATE INDEX experiment_activation_audit_history_idx
    ON experiment_activation_audit (experiment_id, activated_at DESC, id DESC);
