#!/bin/sh
# Creates Temporal's two databases on PostgreSQL when missing and brings both schemas up to the version
# of this admin-tools image, then exits. Runs on every `docker compose up`, like Temporal's own compose
# setup: create (a no-op when the database exists), setup-schema -v 0.0 (creates only the version
# tables; keeps the recorded version when it is newer), update-schema (applies what is pending, which is
# also how a Temporal upgrade gets its schema changes). Each step is safe to run again.
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD, which
# temporal-sql-tool reads from the environment (so the password never appears in a command line).
# TEMPORAL_SCHEMA_DIR is where the admin-tools image keeps the PostgreSQL schemas; set it only where
# the layout differs (the process test runs this script outside the image).
set -eu

schema_root=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versions="$schema_root/temporal/versioned" ;;
    *) versions="$schema_root/visibility/versioned" ;;
  esac
  if [ ! -d "$versions" ]; then
    echo "no versioned schema at $versions (set TEMPORAL_SCHEMA_DIR)" >&2
    exit 1
  fi
  # --db is a global flag (before the command); create connects to the default database to create it.
  temporal-sql-tool --db "$db" create
  temporal-sql-tool --db "$db" setup-schema -v 0.0
  temporal-sql-tool --db "$db" update-schema -d "$versions"
  echo "database $db is up to date"
done
echo "Temporal schemas are up to date"
