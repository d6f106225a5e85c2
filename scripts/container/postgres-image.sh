#!/usr/bin/env bash
# Makes a local stand-in for the official postgres:15-bookworm image on a machine that reaches no
# container registry, so compose.yaml can be brought up here: Debian bookworm's own PostgreSQL 15
# (debootstrap) with an entrypoint that does what the official one does for compose.yaml (initdb on
# an empty PGDATA with POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB, then postgres as user
# postgres). Where a registry is reachable, none of this is needed.
# Skips everything when the image already exists; --force rebuilds it.
set -euo pipefail
IMAGE="${POSTGRES_IMAGE:-postgres:15-bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

if [ "${1:-}" != "--force" ] && podman image exists "$IMAGE"; then
  echo "postgres image $IMAGE exists (--force rebuilds it)"
  exit 0
fi
dir="$(mktemp -d /var/tmp/postgres-base.XXXXXX)"
trap 'rm -rf "$dir" "$dir.log"' EXIT
echo "▶ debootstrap bookworm (minbase) with postgresql-15 into $dir"
debootstrap --variant=minbase --include=postgresql-15 bookworm "$dir" "$MIRROR" >"$dir.log" 2>&1 || {
  tail -n 20 "$dir.log" >&2
  exit 1
}
# Debian's package made a cluster of its own; the entrypoint makes the one in PGDATA instead.
rm -rf "$dir"/var/lib/postgresql/15 "$dir"/etc/postgresql/15
rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb \
  "$dir"/usr/share/doc/* "$dir"/usr/share/man/*
mkdir -p "$dir/var/run/postgresql" && chroot "$dir" chown postgres:postgres /var/run/postgresql
cat >"$dir/usr/local/bin/docker-entrypoint.sh" <<'ENTRY'
#!/bin/sh
# The official image's contract, as far as compose.yaml uses it.
set -e
export PATH="/usr/lib/postgresql/15/bin:$PATH"
: "${PGDATA:=/var/lib/postgresql/data}" "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  [ -n "$POSTGRES_PASSWORD" ] || { echo "POSTGRES_PASSWORD is required" >&2; exit 1; }
  pwfile="$(mktemp)"; printf '%s' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
  if [ "$POSTGRES_DB" != postgres ]; then
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\"" >/dev/null
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
ENTRY
chmod 0755 "$dir/usr/local/bin/docker-entrypoint.sh"
echo "▶ podman import as $IMAGE"
tar -C "$dir" -c . | podman import \
  --change 'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV PGDATA=/var/lib/postgresql/data' \
  --change 'ENTRYPOINT ["docker-entrypoint.sh"]' \
  --change 'STOPSIGNAL SIGINT' \
  - "$IMAGE" >/dev/null
podman image ls "$IMAGE"
