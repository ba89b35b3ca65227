#!/bin/sh
# Creates Temporal's two databases on a fresh PostgreSQL and brings both schemas up to the version of
# this admin-tools image, then exits. Runs on every `docker compose up`: on an existing database it
# only applies pending schema updates, which is also how a Temporal upgrade gets its schema changes.
# Connection settings come from SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER and SQL_PASSWORD, which
# temporal-sql-tool reads from the environment (so the password never appears in a command line).
set -eu

schema_root=/etc/temporal/schema/postgresql/v12

for db in temporal temporal_visibility; do
  case "$db" in
    temporal) versions="$schema_root/temporal/versioned" ;;
    *) versions="$schema_root/visibility/versioned" ;;
  esac
  # "create" succeeds only when the database did not exist yet: that is the fresh-install signal.
  if output=$(temporal-sql-tool --db "$db" create --db "$db" 2>&1); then
    echo "created database $db"
    temporal-sql-tool --db "$db" setup-schema -v 0.0
  elif echo "$output" | grep -qi "already exists"; then
    echo "database $db exists: applying pending schema updates only"
  else
    echo "$output" >&2
    echo "could not create database $db on $SQL_HOST:$SQL_PORT as $SQL_USER" >&2
    exit 1
  fi
  temporal-sql-tool --db "$db" update-schema -d "$versions"
done
echo "Temporal schemas are up to date"
