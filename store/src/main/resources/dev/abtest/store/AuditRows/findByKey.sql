SELECT id, experiment_id, workflow_id, run_id, requested_by, previous_status, outcome,
       array_to_string(violation_codes, ',') AS violation_codes_text, decided_at, activated_at,
       write_attempts, scheduled_for, decision_key
  FROM experiment_activation_audit
 WHERE workflow_id = :workflowId
   AND run_id = :runId
   AND decision_key = :decisionKey
