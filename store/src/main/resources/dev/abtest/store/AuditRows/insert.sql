INSERT INTO experiment_activation_audit
       (experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, activated_at)
VALUES (:experimentId, :workflowId, :runId, CAST(:requestedBy AS text), :previousStatus, :outcome,
        :activatedAt)
