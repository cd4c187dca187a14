#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage tests (never for data you keep).
#
#   scripts/pg-test-cluster.sh start [DIR]   init + start a cluster in DIR (default: a new temp dir);
#                                            prints its URL on stdout, DIR on stderr
#   scripts/pg-test-cluster.sh stop DIR      stop it and delete DIR
#
# It listens on 127.0.0.1 at a free random port and on a unix socket inside DIR,
# trusts local connections (superuser `roost`), and runs with fsync off: the
# tests check transactions and locking, not crash durability of this cluster.
# initdb and postgres refuse to run as root, so as root they run as the
# `postgres` user (Debian's package creates it) and DIR is handed to that user.
set -euo pipefail

find_bin() {
  if command -v "$1" >/dev/null 2>&1; then command -v "$1"; return; fi
  for dir in /usr/lib/postgresql/*/bin; do
    if [ -x "$dir/$1" ]; then echo "$dir/$1"; return; fi
  done
  echo "pg-test-cluster: $1 not found (apt-get install postgresql)" >&2
  exit 1
}

# Runs a command as the cluster's owner: ourselves, or `postgres` when we are root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    local quoted
    quoted=$(printf '%q ' "$@")
    su postgres -s /bin/sh -c "$quoted"
  else
    "$@"
  fi
}

free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

start() {
  local dir="${1:-}"
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/roost-pg.XXXXXX); else mkdir -p "$dir"; fi
  dir=$(cd "$dir" && pwd)
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "pg-test-cluster: as root this needs the postgres user" >&2; exit 1; }
    chown postgres "$dir"
  fi
  chmod 700 "$dir"
  local initdb pg_ctl port
  initdb=$(find_bin initdb)
  pg_ctl=$(find_bin pg_ctl)
  port=$(free_port)
  as_owner "$initdb" -D "$dir/data" --username=roost --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  cat >>"$dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
EOF
  as_owner "$pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; exit 1; }
  local url="postgres://roost@127.0.0.1:$port/postgres?sslmode=disable"
  echo "$url" >"$dir/url"
  echo "$dir" >&2
  echo "$url"
}

stop() {
  local dir="${1:?usage: pg-test-cluster.sh stop DIR}"
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_owner "$(find_bin pg_ctl)" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2 ;;
esac
