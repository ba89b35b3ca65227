-- The demo experiments, one per case of the activation rules. Inserted when missing, so a restart
-- keeps what was done to them; with :reset the existing rows are put back in their seed state.
-- Timestamps are UTC (the Prisma columns have no time zone).
INSERT INTO "ABTest" AS t
    (id, name, description, "startDate", "endDate", status, configuration, "createdAt", "updatedAt")
SELECT s.id, s.name, s.description, s.start_date, s.end_date, CAST(s.status AS "ExperimentStatus"),
       CAST(s.configuration AS jsonb), n.now, n.now
FROM (SELECT CAST(now() AT TIME ZONE 'UTC' AS TIMESTAMP(3)) AS now) n
CROSS JOIN LATERAL (VALUES
    ('exp_123456', 'Homepage hero headline',
     'PENDING with a valid 50/50 split: the seed''s own example activates it.',
     n.now, n.now + INTERVAL '1 year', 'PENDING',
     '{"variants": ["control", "treatment"], "distribution": [0.5, 0.5]}'),
    ('exp_active', 'Checkout button colour',
     'Already ACTIVE: activating it again answers 409.',
     n.now - INTERVAL '7 days', n.now + INTERVAL '90 days', 'ACTIVE',
     '{"variants": ["control", "green"], "distribution": [0.5, 0.5]}'),
    ('exp_stopped', 'Pricing page layout',
     'STOPPED with a valid configuration: activating it resumes it (startDate unchanged).',
     n.now - INTERVAL '30 days', n.now + INTERVAL '60 days', 'STOPPED',
     '{"variants": ["control", "two_column"], "distribution": [0.7, 0.3]}'),
    ('exp_completed', 'Onboarding email subject',
     'COMPLETED is terminal: activating it answers 422.',
     n.now - INTERVAL '60 days', n.now + INTERVAL '30 days', 'COMPLETED',
     '{"variants": ["control", "short_subject"], "distribution": [0.5, 0.5]}'),
    ('exp_bad_config', 'Search ranking weights',
     'Weights sum to 1.2: activating it answers 422 with the violation.',
     n.now, n.now + INTERVAL '1 year', 'PENDING',
     '{"variants": ["control", "treatment"], "distribution": [0.6, 0.6]}'),
    ('exp_expired', 'Holiday banner',
     'Its end date is past: activating it answers 422.',
     n.now - INTERVAL '60 days', n.now - INTERVAL '1 day', 'PENDING',
     '{"variants": ["control", "snow"], "distribution": [0.5, 0.5]}'),
    ('exp_failed', 'Recommendation model v2',
     'FAILED is terminal: activating it answers 422.',
     n.now - INTERVAL '10 days', n.now + INTERVAL '30 days', 'FAILED',
     '{"variants": ["control", "model_v2"], "distribution": [0.5, 0.5]}'),
    ('exp_three_way', 'Signup form length',
     'PENDING with three variants: activating it answers 200.',
     n.now, n.now + INTERVAL '6 months', 'PENDING',
     '{"variants": ["control", "short", "long"], "distribution": [0.34, 0.33, 0.33]}'),
    ('exp_scheduled', 'Pricing page banner',
     'PENDING and valid; the dev stack schedules its activation a few minutes after it starts.',
     n.now, n.now + INTERVAL '1 year', 'PENDING',
     '{"variants": ["control", "banner"], "distribution": [0.5, 0.5]}')
) AS s (id, name, description, start_date, end_date, status, configuration)
ON CONFLICT (id) DO UPDATE SET
    name = EXCLUDED.name,
    description = EXCLUDED.description,
    "startDate" = EXCLUDED."startDate",
    "endDate" = EXCLUDED."endDate",
    status = EXCLUDED.status,
    configuration = EXCLUDED.configuration,
    "updatedAt" = EXCLUDED."updatedAt"
WHERE :reset
