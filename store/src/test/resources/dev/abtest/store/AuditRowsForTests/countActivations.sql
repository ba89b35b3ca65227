SELECT count(*) FROM experiment_activation_audit WHERE experiment_id = :experimentId AND outcome = 'ACTIVATED'
