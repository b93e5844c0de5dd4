#!/bin/sh
# Entry point of the hub's container image. One argument picks what to run:
#   serve            the server (default): node dist/src/main.js
#   migrate          apply migrations as DATABASE_MIGRATION_URL's role and grant DATABASE_URL's role what it needs
#   seed             load the catalogs and mappings (idempotent)
#   migrate-and-seed both, for a one-shot service
#   token ARGS...    make an API token (--org <slug> --role <ROLE> [--name <name>])
# Anything else runs as given (e.g. `sh`).
set -eu
cmd="${1:-serve}"
[ "$#" -gt 0 ] && shift
case "$cmd" in
  serve) exec node dist/src/main.js "$@" ;;
  migrate) exec node dist/src/cli/migrate.js "$@" ;;
  seed) exec node dist/src/cli/seed.js "$@" ;;
  migrate-and-seed) node dist/src/cli/migrate.js && exec node dist/src/cli/seed.js ;;
  token) exec node dist/src/cli/token.js "$@" ;;
  *) exec "$cmd" "$@" ;;
esac
