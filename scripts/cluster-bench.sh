#!/usr/bin/env bash
# `roost bench` pairs and group on PostgreSQL: one node, then two nodes on one
# database (docs/scaling.md has the figures). Starts a throwaway PostgreSQL
# (scripts/pg-test-cluster.sh) and removes it afterwards.
#
#   scripts/cluster-bench.sh [ROOST_BINARY]     (default .build/release/roost; make build)
#
# `roost bench` drives one URL and names its accounts itself, so on two nodes
# one bench runs against each node at once, the second with a users file that
# maps the bench's account names to accounts of its own: each pair and each
# group has its members on one node (the nodes share the database, not the
# traffic of one conversation).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/release/roost}
SECONDS_MEASURED=${DURATION:-5}
PAIRS=${PAIRS:-20}
MEMBERS=${MEMBERS:-50}
UNLIMITED="--rate-http off --rate-logins-ip off --rate-logins-account off --rate-registrations-ip off
  --rate-connections-ip off --rate-connections-user off --rate-messages off --rate-requests off"
work=$(mktemp -d /tmp/roost-cluster-bench.XXXXXX)
pgdir=$(mktemp -d /tmp/roost-pg.XXXXXX)
url=$(scripts/pg-test-cluster.sh start "$pgdir")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  scripts/pg-test-cluster.sh stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT
database() { # a new database on the throwaway cluster: its URL
  python3 - "$url" "$1" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1])
print(urllib.parse.urlunsplit((u.scheme, u.netloc, "/" + sys.argv[2], u.query, u.fragment)))
PY
}
psql_bin=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql | head -1)
serve() { # PORT DATA DATABASE_URL: starts a node, waits for /health
  mkdir -p "$2"
  # shellcheck disable=SC2086
  "$BIN" serve --port "$1" --data "$2" --database "$3" --bcrypt-cost 4 --log-level error $UNLIMITED >"$2/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1/health" >/dev/null && return; sleep 0.1; done
  echo "node on :$1 did not start" >&2; exit 1
}
bench() { # PORT PID FILE SCENARIO ARGS...
  local port=$1 pid=$2 file=$3; shift 3
  "$BIN" bench "$@" --url "http://127.0.0.1:$port" --server-pid "$pid" --users-file "$file"
}

echo "# $(date -u +%F) on $(nproc) cores, $(free -h | awk '/Mem:/ {print $2}') RAM; load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$psql_bin" "$url" -qc "CREATE DATABASE one" -c "CREATE DATABASE two"
serve 19101 "$work/one" "$(database one)"; one=${pids[-1]}
echo "## one node on PostgreSQL"
bench 19101 "$one" "$work/one/pairs.json" pairs --pairs "$PAIRS" --in-flight 10 --duration "$SECONDS_MEASURED"
bench 19101 "$one" "$work/one/group.json" group --members "$MEMBERS" --duration "$SECONDS_MEASURED"
kill "$one"

serve 19102 "$work/a" "$(database two)"; a=${pids[-1]}
serve 19103 "$work/b" "$(database two)"; b=${pids[-1]}
# Node A's bench creates its accounts; node B's gets the same names mapped to others.
bench 19102 "$a" "$work/a/pairs.json" pairs --pairs $((PAIRS / 2)) --prepare >/dev/null
bench 19102 "$a" "$work/a/group.json" group --members $((MEMBERS / 2)) --duration 1 >/dev/null
python3 - "$work/b" $((PAIRS)) $((MEMBERS / 2)) <<'PY'
import json, sys, urllib.request
out, pair_users, members = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def account(name):
    body = json.dumps({"username": name, "password": "bench-" + name + "-password"}).encode()
    for path in ("/api/register", "/api/login"):
        reply = json.load(urllib.request.urlopen(urllib.request.Request("http://127.0.0.1:19103" + path, data=body)))
    return reply
for kind, count, file in (("bench-pair", pair_users, "pairs.json"), ("bench-group", members, "group.json")):
    users = []
    for i in range(count):
        reply = account("node-b-%s-%d" % (kind, i))
        users.append({"username": "%s-%d" % (kind, i), "userID": reply["user_id"], "token": reply["token"]})
    json.dump(users, open(out + "/" + file, "w"))
PY
echo "## two nodes on one PostgreSQL: $((PAIRS / 2)) pairs per node, at once"
bench 19102 "$a" "$work/a/pairs.json" pairs --pairs $((PAIRS / 2)) --in-flight 10 --duration "$SECONDS_MEASURED" >"$work/a/p.txt" & first=$!
bench 19103 "$b" "$work/b/pairs.json" pairs --pairs $((PAIRS / 2)) --in-flight 10 --duration "$SECONDS_MEASURED" >"$work/b/p.txt"
wait "$first"; cat "$work/a/p.txt" "$work/b/p.txt"
echo "## two nodes on one PostgreSQL: a $((MEMBERS / 2))-member group per node, at once"
bench 19102 "$a" "$work/a/group.json" group --members $((MEMBERS / 2)) --duration "$SECONDS_MEASURED" >"$work/a/g.txt" & first=$!
bench 19103 "$b" "$work/b/group.json" group --members $((MEMBERS / 2)) --duration "$SECONDS_MEASURED" >"$work/b/g.txt"
wait "$first"; cat "$work/a/g.txt" "$work/b/g.txt"
