SELECT id, experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, activated_at
  FROM experiment_activation_audit
 WHERE workflow_id = :workflowId
   AND run_id = :runId
