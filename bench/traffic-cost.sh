#!/usr/bin/env bash
# What wire traffic recording (sessions/TrafficRecorder) costs on the read path
# (trial-site.get-by-id over 30 sessions, all of them recorded:
# the recorder keeps 32 targets): instructions per call under callgrind, one binary,
# recording off (the default) and on for every session (POST /admin/traffic
# {"recordNewSessions": true} before the sessions open). As compare-builds.sh: a run with calls
# minus a run with the same sessions and none, divided by the calls answered.
# With BEFORE (a build from before recording existed), that binary's count too: what the hooks cost
# while off. (bench/compare-builds.sh BEFORE BINARY adds throughput runs.)
#   bench/traffic-cost.sh BINARY [BEFORE] [koan-bench]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
AFTER=$(readlink -f "$1"); BEFORE=${2:+$(readlink -f "$2")}; BENCH=$(readlink -f "${3:-build/bench/koan-bench}")
bench_init
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }

start() { # binary recording(on|off): starts the server under callgrind, sets PORT and PID
  local BIN=$1; shift
  PORT=$(free_port)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$BIN" --headless --port "$PORT" --db :memory: \
    --set MaxConcurrentConnections=20000 --set MaxSessions=20000 2>/dev/null &
  PID=$!; pids+=($PID)
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  if [ "$1" = on ]; then
    curl -fsS -X POST -H 'Content-Type: application/json' -d '{"recordNewSessions": true}' \
      "http://127.0.0.1:$PORT/admin/traffic" >/dev/null
  fi
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }

echo "| binary | recording | transport | instructions per call |"
echo "|---|---|---|---|"
runs="after:off after:on"; [ -n "$BEFORE" ] && runs="before:off $runs"
for run in $runs; do
  who=${run%:*}; recording=${run#*:}; bin=$AFTER; [ "$who" = before ] && bin=$BEFORE
  for t in sse streamable; do
    declare -A ir=()
    for rate in 0 200; do
      out="$work/cg.$who.$recording.$t.$rate"
      start "$bin" "$recording"
      answered=$("$BENCH" --port "$PORT" --transport "$t" --sessions 30 --rate "$rate" --duration 10 | field answered || true)
      kill -INT "$PID"; wait "$PID" 2>/dev/null || true
      ir[$rate]=$(awk '/^(summary|totals):/ {print $2; exit}' "$out")
    done
    echo "| $who | $recording | $t | $(( (ir[200] - ir[0]) / (answered > 0 ? answered : 1) )) |"
  done
done
