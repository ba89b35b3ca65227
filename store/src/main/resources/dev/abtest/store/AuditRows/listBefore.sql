-- The page after a cursor: rows strictly older than (activatedAt, id) in history order.
SELECT id, experiment_id, workflow_id, run_id, requested_by, previous_status, outcome, activated_at
  FROM experiment_activation_audit
 WHERE experiment_id = :experimentId
   AND (activated_at, id) < (:activatedAt, :id)
 ORDER BY activated_at DESC, id DESC
 LIMIT :limit
