#!/usr/bin/env bash
# Runs the benchmark scenarios against koan-mcp and the TypeScript SDK peer in one run and
# prints a results table with ratios. Loopback only; every scenario is bounded in time.
#   bench/run-bench.sh [--quick] [build dir]      (--quick: small N, a smoke run for ctest)
set -euo pipefail
QUICK=0
[ "${1:-}" = "--quick" ] && { QUICK=1; shift; }
BUILD=$(readlink -f "${1:-build}")
source "$(dirname "$0")/lib.sh"
KOAN="$BUILD/app/koan-mcp"; BENCH="$BUILD/bench/koan-bench"
bench_init
install_peer

start_ours() { # $1: extra --set arguments
  local port; port=$(free_port)
  "$KOAN" --headless --port "$port" --db :memory: --set MaxConcurrentConnections=20000 --set MaxSessions=20000 $1 2>"$work/ours.log" &
  pids+=($!); OURS_PID=$!; OURS_PORT=$port; wait_up "http://127.0.0.1:$port/healthz"
}
start_peer() { # $1: the peer's script (server.mjs: SDK v1; server-v2.mjs: SDK v2, createMcpHandler)
  local port; port=$(free_port)
  node "$HERE/peer/${1:-server.mjs}" --port "$port" 2>"$work/peer.log" &
  pids+=($!); PEER_PID=$!; PEER_PORT=$port; wait_up "http://127.0.0.1:$port/health"
}

results="$work/results.jsonl"; : >"$results"
run() { # label server transport sessions rate duration [extra bench args]
  local label=$1 who=$2 transport=$3 n=$4 rate=$5 dur=$6; shift 6
  local port pid sse
  if [ "$who" = ours ]; then port=$OURS_PORT; pid=$OURS_PID; sse=/mcp/sse; else port=$PEER_PORT; pid=$PEER_PID; sse=/sse; fi
  "$BENCH" --port "$port" --sse-path "$sse" --transport "$transport" --sessions "$n" --rate "$rate" --duration "$dur" \
    --server-pid "$pid" --label "$label/$who" "$@" >>"$results" || true
  tail -n 1 "$results" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("  %-34s open %5d/%-5d rej %4d  %8.0f calls/s  p50 %7.2f  p95 %7.2f  p99 %7.2f ms  err %d  RSS/session %.1f kB  cpu %.0f%%" % (d["label"]+"/"+d["transport"], d["sessionsOpen"], d["sessionsRequested"], d["rejected503"], d["callsPerSecond"], d["p50Ms"], d["p95Ms"], d["p99Ms"], d["errors"], d["rssPerSessionKb"], d["serverCpuPercent"]))'
}

if [ $QUICK = 1 ]; then SIZES="20"; DUR=2; BIG=20; BURST=20; else SIZES="100 500 1000 5000 10000"; DUR=10; BIG=10000; BURST=5000; fi
# Each scenario gets a fresh server: Streamable sessions outlive their client's connections
# (until DELETE or the idle timeout), so they would pile up from one scenario into the next.
scenario() { # label who transport sessions rate duration [extra bench args]
  local who=$2
  # The modern era (2026-07-28) is compared with the SDK v2 peer; the 2025 transports with v1.
  if [ "$who" = ours ]; then start_ours ""; elif [ "$3" = modern ]; then start_peer server-v2.mjs; else start_peer; fi
  run "$@"
  if [ "$who" = ours ]; then stop "$OURS_PID"; else stop "$PEER_PID"; fi
}
for who in ours peer; do
  for transport in sse streamable; do
    for n in $SIZES; do
      # 1 call per second per session, at most 1000 calls/s: the latency target's load shape.
      rate=$(( n < 1000 ? n : 1000 ))
      scenario "N=$n" $who $transport "$n" "$rate" "$DUR"
    done
    # Throughput: 64 calls always in flight over 100 sessions (closed loop, no backlog), and the
    # same over the largest N of open sessions.
    scenario "max-throughput" $who $transport 100 0 "$DUR" --concurrency 64
    scenario "max-throughput-$BIG" $who $transport "$BIG" 0 "$DUR" --concurrency 64
    # Burst connect: every session opened at once; the connect column is the time to open them all.
    scenario "burst-connect-$BURST" $who $transport "$BURST" 0 2 --connect-concurrency "$BURST"
  done
done

# The stateless era: tools/call with no session (64 in flight), then 1000 calls/s while
# subscriptions/listen streams are held open (the per-stream memory is the RSS column).
if [ $QUICK = 1 ]; then LISTEN="20"; else LISTEN="1000 10000"; fi
for who in ours peer; do
  scenario "modern-max-throughput" $who modern 0 0 "$DUR" --concurrency 64
  for n in $LISTEN; do
    scenario "modern-listen-$n" $who modern "$n" "$([ $QUICK = 1 ] && echo 100 || echo 1000)" "$DUR"
  done
done

if [ $QUICK = 0 ]; then
  # Heartbeat overhead: 5000 idle legacy streams, 1 s keep-alive, server CPU over 10 s.
  start_ours "--set SseKeepAliveInterval=1s"; run "heartbeats-5000-idle" ours sse 5000 0 10; stop $OURS_PID
  # Over the limit: MaxConcurrentConnections=500, 600 streams; existing sessions keep being served.
  start_ours "--set MaxConcurrentConnections=500"; run "over-limit-600" ours sse 600 500 5; stop $OURS_PID
  # The event loop: the same 10 000-stream load on Qt's own poll() dispatcher, for comparison.
  KOAN_EVENT_LOOP=poll start_ours ""; run "N=10000-qt-poll-dispatcher" ours sse 10000 1000 10; stop $OURS_PID
fi

python3 - "$results" "$QUICK" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["label"], r["transport"]): r for r in rows}
print("\npeer: TypeScript SDK v1 (bench/peer/server.mjs) for sse and streamable; SDK v2 (server-v2.mjs, createMcpHandler) for modern, whose sessions are subscriptions/listen streams")
print("\n| scenario | transport | ours calls/s | peer calls/s | ratio | ours p95 ms | peer p95 ms | ours kB/session | peer kB/session | CPU % ours/peer | connect s ours/peer | errors ours/peer |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
bad = 0
def cols(x):
    # Idle scenarios (no calls) have no call figures; their CPU is the heartbeat's.
    if x is None:
        return ["–"] * 6
    idle = x["targetRate"] == 0 and x["concurrency"] == 0
    return ["–" if idle else f"{x['callsPerSecond']:.0f}", "–" if idle else f"{x['p95Ms']:.2f}",
            f"{x['rssPerSessionKb']:.1f}", f"{x['serverCpuPercent']:.0f}", f"{x['connectSeconds']:.2f}", str(x["errors"])]
for (label, transport), r in by.items():
    if not label.endswith("/ours"):
        continue
    base = label[:-5]
    p = by.get((base + "/peer", transport))
    ratio = f"{r['callsPerSecond'] / p['callsPerSecond']:.2f}×" if p and p["callsPerSecond"] else "–"
    o, q = cols(r), cols(p)
    print(f"| {base} | {transport} | {o[0]} | {q[0]} | {ratio} | {o[1]} | {q[1]} | {o[2]} | {q[2]} | {o[3]}/{q[3]} | {o[4]}/{q[4]} | {o[5]}/{q[5]} |")
    # Modern calls need no session, but every listen stream asked for must have opened.
    if r["errors"] or r["sessionsOpen"] < (r["sessionsRequested"] if transport == "modern" else 1):
        bad += 1
if sys.argv[2] == "1" and bad:
    print(f"smoke run failed: {bad} scenario(s) with errors or no sessions"); sys.exit(1)
PY
