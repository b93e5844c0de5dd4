#!/bin/sh
# Run once by the postgres image on an empty data directory: the schema owner and the ordinary role the
# hub serves with (no superuser, no BYPASSRLS; `migrate` grants it what it needs), and their database.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" \
  -v owner_pw="$HUB_OWNER_PASSWORD" -v app_pw="$HUB_APP_PASSWORD" <<'SQL'
CREATE ROLE hub_owner LOGIN PASSWORD :'owner_pw' NOSUPERUSER NOBYPASSRLS;
CREATE ROLE hub_app LOGIN PASSWORD :'app_pw' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
CREATE DATABASE hub OWNER hub_owner;
\connect hub
ALTER SCHEMA public OWNER TO hub_owner;
SQL
