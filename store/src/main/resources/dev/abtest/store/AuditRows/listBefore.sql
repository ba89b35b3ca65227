-- The page after a cursor: rows strictly older than (decidedAt, id) in history order.
SELECT id, experiment_id, workflow_id, run_id, requested_by, previous_status, outcome,
       array_to_string(violation_codes, ',') AS violation_codes_text, decided_at, activated_at,
       write_attempts, scheduled_for, decision_key
  FROM experiment_activation_audit
 WHERE experiment_id = :experimentId
   AND (CAST(:outcome AS text) IS NULL OR outcome = :outcome)
   AND (decided_at, id) < (:decidedAt, :id)
 ORDER BY decided_at DESC, id DESC
 LIMIT :limit
