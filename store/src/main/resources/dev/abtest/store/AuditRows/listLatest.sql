SELECT id, experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, activated_at
  FROM experiment_activation_audit
 WHERE experiment_id = :experimentId
 ORDER BY activated_at DESC, id DESC
 LIMIT :limit
