-- Records a decision at the database's clock, once per (workflow id, run id, decision key): a
-- retried attempt inserts nothing (and then reads the record its earlier attempt committed).
INSERT INTO experiment_activation_audit
       (experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, violation_codes,
        decided_at, write_attempts, scheduled_for, decision_key)
VALUES (:experimentId, :workflowId, :runId, CAST(:requestedBy AS text),
        CAST(:previousStatus AS text), :outcome, string_to_array(:violationCodes, ','),
        date_trunc('milliseconds', now() AT TIME ZONE 'UTC'), CAST(:writeAttempts AS integer),
        CAST(:scheduledFor AS timestamp(3)), :decisionKey)
ON CONFLICT (workflow_id, run_id, decision_key) DO NOTHING
