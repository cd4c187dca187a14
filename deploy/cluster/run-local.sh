#!/usr/bin/env bash
# Two Roost nodes on one throwaway PostgreSQL, on this machine, for trying the
# cluster out (not for production): node 1 on :8081, node 2 on :8082, each
# with a data directory of its own (uploads and the token secret are kept in
# PostgreSQL). Put haproxy.cfg or nginx.conf in front for :8080. Ctrl-C stops
# everything and deletes the data.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build
BIN="$(swift build --show-bin-path)/roost"
PGDIR=$(mktemp -d /tmp/roost-pg.XXXXXX)
DATA=$(mktemp -d /tmp/roost-cluster-data.XXXXXX)
mkdir "$DATA/node1" "$DATA/node2"
URL=$(scripts/pg-test-cluster.sh start "$PGDIR")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-test-cluster.sh stop "$PGDIR"
  rm -rf "$DATA"
}
trap cleanup EXIT INT TERM
"$BIN" serve --port 8081 --data "$DATA/node1" --database "$URL" & pids+=($!)
"$BIN" serve --port 8082 --data "$DATA/node2" --database "$URL" & pids+=($!)
echo "nodes on :8081 and :8082, PostgreSQL at $URL"
wait
