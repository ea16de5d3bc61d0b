#!/bin/sh
# The two database roles of a deployment (docs/operations.md §四):
#   weijiuni      owns the database and its tables; only the `migrate` step connects as it
#   weijiuni_app  what web, worker and beat connect as: row access only (granted after each
#                 migrate by `manage.py db_grant_runtime`), owns nothing, so it can neither
#                 TRUNCATE nor disable the triggers that keep the audit trail append-only
# docker-compose.yml mounts this file into /docker-entrypoint-initdb.d/: it runs once, as the
# superuser, when the db volume is first created. It is idempotent; on a volume created before
# the runtime role existed, run it once by hand:
#   docker compose exec db sh /docker-entrypoint-initdb.d/10-roles.sh
set -eu
: "${DB_OWNER_PASSWORD:?DB_OWNER_PASSWORD is required}"
: "${DB_APP_PASSWORD:?DB_APP_PASSWORD is required}"
PSQL="psql -v ON_ERROR_STOP=1 --no-psqlrc --username ${POSTGRES_USER:-postgres}"

$PSQL --dbname postgres -v owner_pw="$DB_OWNER_PASSWORD" -v app_pw="$DB_APP_PASSWORD" <<'SQL'
-- The owner's password is set only when the role is made here: on a volume from before, the
-- owner is the image's POSTGRES_USER and keeps its password.
SELECT format('CREATE ROLE weijiuni LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE',
              :'owner_pw')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'weijiuni') \gexec
SELECT 'CREATE ROLE weijiuni_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT'
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'weijiuni_app') \gexec
ALTER ROLE weijiuni_app PASSWORD :'app_pw';
SELECT 'CREATE DATABASE weijiuni OWNER weijiuni'
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'weijiuni') \gexec
SQL

$PSQL --dbname weijiuni <<'SQL'
-- The owner creates the tables; nobody else creates anything in the schema.
ALTER SCHEMA public OWNER TO weijiuni;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON DATABASE weijiuni FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE weijiuni TO weijiuni, weijiuni_app;
SQL
