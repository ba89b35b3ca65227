SELECT id,
       name,
       description,
       "startDate"           AS start_date,
       "endDate"             AS end_date,
       status::text          AS status,
       configuration::text   AS configuration,
       "createdAt"           AS created_at,
       "updatedAt"           AS updated_at
  FROM "ABTest"
 WHERE id = :id
