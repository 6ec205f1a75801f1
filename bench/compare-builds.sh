#!/usr/bin/env bash
# Compares two koan-mcp binaries on the read path (trial-site.get-by-id over 100 sessions), for a
# change that must not cost throughput (e.g. a restructuring):
#   1. instructions per call under callgrind (independent of the machine's load): a run with
#      calls minus a run with the same sessions and none, divided by the calls answered;
#   2. max-throughput calls/s (64 in flight, 10 s), the two binaries interleaved, twice.
#   bench/compare-builds.sh BEFORE_BINARY AFTER_BINARY [koan-bench]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
BEFORE=$(readlink -f "$1"); AFTER=$(readlink -f "$2"); BENCH=$(readlink -f "${3:-build/bench/koan-bench}")
bench_init
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)"; exit 1; }

start() { # binary [wrapper...]: starts a server, sets PORT and PID
  local bin=$1; shift
  PORT=$(free_port)
  "$@" "$bin" --headless --port "$PORT" --db :memory: --set MaxConcurrentConnections=20000 --set MaxSessions=20000 \
    2>/dev/null &
  PID=$!; pids+=($PID)
  for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server did not start"; exit 1
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)[\"$1\"])"; }

echo "| binary | transport | instructions per call |"
echo "|---|---|---|"
for who in before after; do
  bin=$BEFORE; [ $who = after ] && bin=$AFTER
  for t in sse streamable; do
    declare -A ir=()
    for rate in 0 200; do
      out="$work/cg.$who.$t.$rate"
      start "$bin" valgrind --tool=callgrind --callgrind-out-file="$out"
      answered=$("$BENCH" --port "$PORT" --transport "$t" --sessions 100 --rate "$rate" --duration 10 | field answered || true)
      kill -INT "$PID"; wait "$PID" 2>/dev/null || true
      ir[$rate]=$(awk '/^(summary|totals):/ {print $2; exit}' "$out")
    done
    echo "| $who | $t | $(( (ir[200] - ir[0]) / (answered > 0 ? answered : 1) )) |"
  done
done

echo; echo "| round | binary | transport | calls/s | p95 ms |"; echo "|---|---|---|---|---|"
for round in 1 2; do
  for who in before after; do
    bin=$BEFORE; [ $who = after ] && bin=$AFTER
    for t in sse streamable; do
      start "$bin"
      r=$("$BENCH" --port "$PORT" --transport "$t" --sessions 100 --rate 0 --concurrency 64 --duration 10 --server-pid "$PID")
      echo "| $round | $who | $t | $(echo "$r" | field callsPerSecond | cut -d. -f1) | $(echo "$r" | field p95Ms) |"
      stop "$PID"
    done
  done
done
