#!/usr/bin/env bash
# The process-level cluster test (issue 8): a throwaway PostgreSQL
# (scripts/pg-test-cluster.sh) and, per test, two `roost serve --database ...`
# processes of the built binary on different ports (Tests/RoostServerTests/
# ClusterProcessTests.swift): 1:1 and group messages between users on
# different nodes, presence and typing across nodes, offline sync, a device
# replaced across nodes, the device cap across nodes, and a node killed with
# SIGKILL without losing an acked message. The cluster is removed afterwards,
# pass or fail.
#
#   scripts/cluster-test.sh            (expects `swift build --build-tests` done; make test-cluster does it)
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}

dir=$(mktemp -d /tmp/roost-cluster.XXXXXX)
url=$(scripts/pg-test-cluster.sh start "$dir") || { rm -rf "$dir"; exit 1; }
trap 'scripts/pg-test-cluster.sh stop "$dir"' EXIT
echo "PostgreSQL test cluster: $url"
ROOST_TEST_SERVER_POSTGRES_URL=$url "$SWIFT" test --skip-build --no-parallel \
  --filter 'RoostServerTests\.ClusterProcessTests'
