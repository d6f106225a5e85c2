#!/bin/sh
# serve (default): the server, which also applies pending migrations when it starts.
# migrate: applies pending migrations and exits (a deployment's explicit step, before serve).
# Anything else runs as given (a shell for debugging: `docker run --rm -it IMAGE sh`).
set -e
case "${1:-serve}" in
  serve) shift $(($# > 0)); exec node /app/server.js "$@" ;;
  migrate) shift; exec node /app/migrate.mjs "$@" ;;
  *) exec "$@" ;;
esac
