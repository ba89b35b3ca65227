INSERT INTO experiment_activation_audit
       (experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, violation_codes,
        decided_at, activated_at, write_attempts, scheduled_for, decision_key)
VALUES (:experimentId, :workflowId, :runId, CAST(:requestedBy AS text),
        CAST(:previousStatus AS text), :outcome, string_to_array(:violationCodes, ','),
        :decidedAt, CAST(:activatedAt AS timestamp(3)), CAST(:writeAttempts AS integer),
        CAST(:scheduledFor AS timestamp(3)), :decisionKey)
