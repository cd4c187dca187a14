#!/usr/bin/env bash
# Runs every `roost bench` scenario against a fresh release server on this
# machine and prints one summary per scenario (JSON lines with --json).
# Usage: scripts/bench.sh [--json] [BIN]   (BIN defaults to the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
JSON=""
if [ "${1:-}" = "--json" ]; then JSON="--json"; shift; fi
BIN=${1:-$(swift build -c release --show-bin-path --scratch-path .build-release)/roost}
PORT=${PORT:-18181}
DATA=$(mktemp -d)
USERS="$DATA/bench-users.json"
URL="http://127.0.0.1:$PORT"

ulimit -n "$(ulimit -Hn)"
"$BIN" serve --port "$PORT" --data "$DATA/server" --bcrypt-cost 4 --no-rate-limits --log-level error >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do curl -sf "$URL/health" >/dev/null && break; sleep 0.1; done

echo "# $(date -u +%Y-%m-%dT%H:%MZ) $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, open files $(ulimit -n)"
B() { "$BIN" bench "$@" --url "$URL" --server-pid "$SERVER" --users-file "$USERS" $JSON; }
"$BIN" bench ceiling --connections 50 --in-flight 10 --duration "${DURATION:-10}" $JSON
B pairs --pairs 50 --in-flight 10 --duration "${DURATION:-10}"
B pairs --pairs 50 --rate 5000 --duration "${DURATION:-10}"
B offline --messages 10000
B group --members 100 --duration "${DURATION:-10}"
# The same group at a lighter load: 4 messages in flight instead of 10 (latency is queueing at 10).
B group --members 100 --in-flight 4 --duration "${DURATION:-10}"
B group --members 1000 --duration "${DURATION:-10}"
B mixed --users 200 --duration "${DURATION:-10}"
B idle --connections "${IDLE:-19000}" --hold 3
# Start to /health on an existing data directory: a copy of the one this run filled.
kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true
cp -r "$DATA/server" "$DATA/startup"
"$BIN" bench startup --binary "$BIN" --data "$DATA/startup" --runs 5 --port $((PORT + 1)) $JSON
