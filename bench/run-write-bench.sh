#!/usr/bin/env bash
# Write scenario (issue #14, durable commits): trial-site.upsert (one new record a call) and
# trial-site.upsert-many (10 new records a call), closed loop over Streamable HTTP, against koan-mcp
# with a real SQLite file and against the TypeScript SDK peer writing its own SQLite file
# (node:sqlite), each with synchronous=FULL (every commit's WAL synced: the default) and NORMAL
# (synced at checkpoints only: the mode before #14). Prints calls/s, ratio ours/peer, p95, and what
# FULL costs each side. See bench/README.md, "Write scenario: durable commits".
#   bench/run-write-bench.sh [--quick] [build dir]    (--quick: a short smoke run for ctest)
# The databases live under $TMPDIR (default /tmp): it must be a real disk, or fsync costs nothing.
set -euo pipefail
QUICK=0
[ "${1:-}" = "--quick" ] && { QUICK=1; shift; }
BUILD=$(readlink -f "${1:-build}")
source "$(dirname "$0")/lib.sh"
KOAN="$BUILD/app/koan-mcp"; BENCH="$BUILD/bench/koan-bench"
bench_init
install_peer

fs=$(stat -f -c %T "$work")
echo "databases in $work ($fs)"
case "$fs" in tmpfs|ramfs)
  echo "warning: $work is on $fs, where fsync costs nothing; set TMPDIR to a directory on a disk"
  [ $QUICK = 1 ] || exit 1 ;;
esac

if [ $QUICK = 1 ]; then CONCURRENCY="4"; DUR=1; SESSIONS=4; else CONCURRENCY="1 16 64"; DUR=10; SESSIONS=16; fi
SITE='{"name":"Bench Site","location":"Basel, Switzerland","principalInvestigator":"Dr. A. Bench"}'
UPSERT_ARGS="{\"model\":$SITE}"
MANY_ARGS="{\"models\":[$(printf "$SITE%.0s," $(seq 9))$SITE]}"

start_ours() { # $1: sync mode, $2: database file
  local port; port=$(free_port)
  "$KOAN" --headless --environment Development --port "$port" --db "$2" --set "Store:Synchronous=$1" \
    --set SeedSampleData=false 2>>"$work/ours.log" &
  pids+=($!); SERVER_PID=$!; SERVER_PORT=$port; wait_up "http://127.0.0.1:$port/healthz"
}
start_peer() { # $1: sync mode, $2: database file
  local port; port=$(free_port)
  "$PEER_NODE22" --no-warnings "$HERE/peer/server.mjs" --port "$port" --db "$2" --synchronous "$1" 2>>"$work/peer.log" &
  pids+=($!); SERVER_PID=$!; SERVER_PORT=$port; wait_up "http://127.0.0.1:$port/health"
}

results="$work/results.jsonl"; : >"$results"
# One scenario against a fresh server and a fresh database file; afterwards the records in the
# file are counted, so a call answered without its write shows up.
scenario() { # who tool sync concurrency
  local who=$1 tool=$2 sync=$3 conc=$4 args per db
  if [ "$tool" = upsert ]; then args=$UPSERT_ARGS; per=1; else args=$MANY_ARGS; per=10; fi
  db="$work/$who-$tool-$sync-$conc.sqlite"
  if [ "$who" = ours ]; then start_ours "$sync" "$db"; else start_peer "$sync" "$db"; fi
  "$BENCH" --port "$SERVER_PORT" --transport streamable --sessions "$SESSIONS" --concurrency "$conc" \
    --post-connections "$conc" --duration "$DUR" --tool "trial-site.$tool" --args "$args" \
    --server-pid "$SERVER_PID" --label "$tool/$sync/$conc/$who" >"$work/one.json" || true
  stop "$SERVER_PID"
  python3 - "$work/one.json" "$db" "$who" "$tool" "$sync" "$per" >>"$results" <<'PY'
import json, sqlite3, sys
r = json.load(open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
r["records"] = db.execute("SELECT COUNT(*) FROM trial_site").fetchone()[0]
r.update(who=sys.argv[3], tool=sys.argv[4], sync=sys.argv[5], perCall=int(sys.argv[6]))
print(json.dumps(r))
PY
  tail -n 1 "$results" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("  %-32s %7.0f calls/s  p50 %6.2f  p95 %6.2f  p99 %6.2f ms  err %d  records %d/%d  cpu %.0f%%" % (d["label"], d["callsPerSecond"], d["p50Ms"], d["p95Ms"], d["p99Ms"], d["errors"], d["records"], d["answered"] * d["perCall"], d["serverCpuPercent"]))'
}

for tool in upsert upsert-many; do
  for conc in $CONCURRENCY; do
    for sync in FULL NORMAL; do
      for who in ours peer; do scenario $who $tool $sync "$conc"; done
    done
  done
done

python3 - "$results" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["tool"], r["sync"], r["concurrency"], r["who"]): r for r in rows}
keys = sorted({(r["tool"], r["concurrency"]) for r in rows}, key=lambda k: (k[0] != "upsert", k[1]))
f = lambda r, k, fmt: "–" if r is None else fmt % r[k]
print("\n| scenario | in flight | sync | ours calls/s | peer calls/s | ratio | ours p95 ms | peer p95 ms | ours records/s | CPU % ours/peer | errors ours/peer |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for tool, conc in keys:
    for sync in ("FULL", "NORMAL"):
        o, p = by.get((tool, sync, conc, "ours")), by.get((tool, sync, conc, "peer"))
        ratio = f"{o['callsPerSecond'] / p['callsPerSecond']:.2f}×" if o and p and p["callsPerSecond"] else "–"
        print(f"| trial-site.{tool} | {conc} | {sync} | {f(o, 'callsPerSecond', '%.0f')} | {f(p, 'callsPerSecond', '%.0f')} | "
              f"{ratio} | {f(o, 'p95Ms', '%.2f')} | {f(p, 'p95Ms', '%.2f')} | "
              f"{'–' if o is None else '%.0f' % (o['callsPerSecond'] * o['perCall'])} | "
              f"{f(o, 'serverCpuPercent', '%.0f')}/{f(p, 'serverCpuPercent', '%.0f')} | {f(o, 'errors', '%d')}/{f(p, 'errors', '%d')} |")
print("\nWhat FULL costs: calls/s with FULL ÷ calls/s with NORMAL (1.00 = free), and p95 FULL ÷ NORMAL.\n")
print("| scenario | in flight | ours calls/s FULL/NORMAL | peer calls/s FULL/NORMAL | ours p95 FULL/NORMAL | peer p95 FULL/NORMAL |")
print("|---|---|---|---|---|---|")
for tool, conc in keys:
    cells = []
    for k in ("callsPerSecond", "p95Ms"):
        for who in ("ours", "peer"):
            a, b = by.get((tool, "FULL", conc, who)), by.get((tool, "NORMAL", conc, who))
            cells.append(f"{a[k] / b[k]:.2f}" if a and b and b[k] else "–")
    print(f"| trial-site.{tool} | {conc} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} |")
# Never fails on a number: only on errors, a scenario without sessions or answers, or answered
# calls whose records are not in the file.
bad = [r["label"] for r in rows
       if r["errors"] or r["sessionsOpen"] == 0 or r["answered"] == 0 or r["records"] != r["answered"] * r["perCall"]]
if bad:
    print("write bench failed: errors, no answers or missing records in " + ", ".join(bad)); sys.exit(1)
PY
