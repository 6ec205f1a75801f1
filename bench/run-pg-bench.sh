#!/usr/bin/env bash
# PostgreSQL scenario (issue #17): trial-site.get-by-id (read) and trial-site.upsert (write, one new
# record a call), 64 in flight, over 2025 Streamable HTTP sessions and stateless 2026-07-28 calls,
# against koan-mcp on a SQLite file, koan-mcp on PostgreSQL (one replica), three replicas on the
# same PostgreSQL behind nginx (the shipped deploy/nginx/koan-mcp.conf, without its TLS) and the
# TypeScript SDK peer (its SQLite file) in the same run. After each write scenario the rows
# written are counted in the database, so a call answered without its write shows up.
# See bench/README.md, "PostgreSQL scenario".
#   bench/run-pg-bench.sh [--quick] [build dir]    (--quick: 1 s per scenario, 4 in flight)
# Exit 77 (ctest SKIP) without PostgreSQL (initdb, pg_ctl, psql) or nginx. The databases live under $TMPDIR
# (default /tmp): it must be a real disk, or commits cost nothing.
set -euo pipefail
QUICK=0
[ "${1:-}" = "--quick" ] && { QUICK=1; shift; }
BUILD=$(readlink -f "${1:-build}")
source "$(dirname "$0")/lib.sh"
KOAN="$BUILD/app/koan-mcp"; BENCH="$BUILD/bench/koan-bench"

# The newest installed PostgreSQL, as tests/cluster/run-cluster.py finds it.
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$PG_BIN/initdb" ] || PG_BIN=$(dirname "$(command -v initdb 2>/dev/null || echo /none/initdb)")
NGINX=$(command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
PSQL=$([ -x "$PG_BIN/psql" ] && echo "$PG_BIN/psql" || command -v psql 2>/dev/null || true)
if [ ! -x "$PG_BIN/initdb" ] || [ ! -x "$PG_BIN/pg_ctl" ] || [ -z "$PSQL" ] || [ -z "$NGINX" ]; then
  echo "SKIP: needs PostgreSQL (initdb, pg_ctl, psql) and nginx: apt-get install postgresql nginx-light"
  exit 77
fi

bench_init
install_peer
# The PostgreSQL cluster belongs to an unprivileged user (nobody when root runs this), in its own
# folder: $work is private to us. Stopped and removed on every exit, failures included.
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/koan-pgbench-XXXXXX")
as_user=(); [ "$(id -u)" = 0 ] && as_user=(runuser -u nobody --)
pg_started=0
pg_cleanup() {
  [ $pg_started = 1 ] && "${as_user[@]}" "$PG_BIN/pg_ctl" -D "$pgdir/data" -m immediate -w stop >/dev/null 2>&1 || true
  bench_cleanup; rm -rf "$pgdir"
}
trap pg_cleanup EXIT
trap 'exit 130' INT TERM

fs=$(stat -f -c %T "$work")
echo "databases in $work and $pgdir ($fs)"
case "$fs" in tmpfs|ramfs)
  echo "warning: $fs, where commits cost nothing; set TMPDIR to a directory on a disk"
  [ $QUICK = 1 ] || exit 1 ;;
esac

PG_PORT=$(free_port)
PG_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
PG_URL="postgresql://koan:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
printf '%s' "$PG_PASSWORD" >"$pgdir/pw"
[ ${#as_user[@]} = 0 ] || chown -R 65534:65534 "$pgdir"
( cd "$pgdir" && "${as_user[@]}" "$PG_BIN/initdb" -D "$pgdir/data" -U koan --pwfile="$pgdir/pw" --auth=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$pgdir/initdb.log" 2>&1 ) || { cat "$pgdir/initdb.log"; exit 1; }
rm -f "$pgdir/pw"
# fsync stays on (PostgreSQL's default, synchronous_commit on): as durable as SQLite's FULL.
( cd "$pgdir" && "${as_user[@]}" "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/log" -w -t 60 \
    -o "-p $PG_PORT -k $pgdir -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null ) \
  || { cat "$pgdir/log"; exit 1; }
pg_started=1
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT"

if [ $QUICK = 1 ]; then CONC=4; DUR=1; SESSIONS=4; else CONC=64; DUR=10; SESSIONS=16; fi
READ_ARGS='{"id":"site-boston"}'
UPSERT_ARGS='{"model":{"name":"Bench Site","location":"Basel, Switzerland","principalInvestigator":"Dr. A. Bench"}}'

# start_koan NAME STORE-ARGS...: one koan-mcp with its own HOME; sets SERVER_PID and SERVER_PORT.
start_koan() {
  local name=$1 port; shift; port=$(free_port)
  mkdir -p "$work/$name"
  HOME="$work/$name" XDG_CONFIG_HOME="$work/$name/config" XDG_DATA_HOME="$work/$name/data" \
    "$KOAN" --headless --port "$port" --set TrustedProxies=127.0.0.1 "$@" 2>>"$work/$name.log" &
  pids+=($!); SERVER_PID=$!; SERVER_PORT=$port; wait_up "http://127.0.0.1:$port/readyz"
}
start_peer() { # $1: script; server.mjs writes its SQLite file (--db), server-v2.mjs only reads
  local port; port=$(free_port)
  if [ "$1" = server.mjs ]; then set -- "$1" --db "$work/peer.sqlite"; fi
  "$PEER_NODE22" --no-warnings "$HERE/peer/$1" --port "$port" "${@:2}" 2>>"$work/peer.log" &
  pids+=($!); SERVER_PID=$!; SERVER_PORT=$port; wait_up "http://127.0.0.1:$port/health"
}
# nginx with the shipped config on free loopback ports, plain HTTP (koan-bench has no TLS), the
# three replicas as its upstream; sets SERVER_PORT.
start_nginx() { # replica ports...
  local port plain; port=$(free_port); plain=$(free_port)
  mkdir -p "$work/nginx/logs"
  python3 - "$HERE/../deploy/nginx/koan-mcp.conf" "$port" "$plain" "$@" >"$work/koan-mcp.conf" <<'PY'
import re, sys
conf, port, plain, replicas = open(sys.argv[1]).read(), sys.argv[2], sys.argv[3], sys.argv[4:]
upstreams = "".join(f"    server 127.0.0.1:{r} max_fails=1 fail_timeout=5s;\n" for r in replicas)
conf, n = re.subn(r"    server 127\.0\.0\.1:5114[^\n]*\n", upstreams, conf)
assert n == 1 and "proxy_next_upstream error http_404 non_idempotent" in conf, "the shipped nginx config changed"
conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{port};").replace("listen 80;", f"listen 127.0.0.1:{plain};")
print(re.sub(r"\n *ssl_[^\n]*", "", conf))
PY
  cat >"$work/nginx.conf" <<EOF
worker_processes auto;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  include $work/koan-mcp.conf;
}
EOF
  "$NGINX" -t -q -p "$work/nginx" -c "$work/nginx.conf"
  "$NGINX" -p "$work/nginx" -c "$work/nginx.conf" -g "daemon off;" 2>>"$work/nginx.log" &
  pids+=($!); NGINX_PID=$!; SERVER_PORT=$port; wait_up "http://127.0.0.1:$port/readyz"
}

count_rows() { # store: the rows of trial_site in it
  case "$1" in
    postgresql) PGPASSWORD="$PG_PASSWORD" "$PSQL" -X -q -t -A -h 127.0.0.1 -p "$PG_PORT" -U koan -d postgres \
                  -c "SELECT COUNT(*) FROM trial_site" ;;
    *) python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM trial_site").fetchone()[0])' "$1" ;;
  esac
}

results="$work/results.jsonl"; : >"$results"
# scenario SERVER STORE PID read|write streamable|modern: one bench run against $SERVER_PORT.
scenario() {
  local server=$1 store=$2 pid=$3 op=$4 transport=$5 tool args sessions before=0 after=0
  if [ "$op" = read ]; then tool=trial-site.get-by-id; args=$READ_ARGS; else tool=trial-site.upsert; args=$UPSERT_ARGS; fi
  # 2025 sessions carry the calls; stateless calls need no session (and no listen stream).
  if [ "$transport" = streamable ]; then sessions=$SESSIONS; else sessions=0; fi
  [ "$op" = write ] && before=$(count_rows "$store")
  "$BENCH" --port "$SERVER_PORT" --transport "$transport" --sessions "$sessions" --concurrency "$CONC" \
    --post-connections "$CONC" --duration "$DUR" --tool "$tool" --args "$args" ${pid:+--server-pid "$pid"} \
    --label "$op/$transport/$server" >"$work/one.json" || true
  [ "$op" = write ] && after=$(count_rows "$store")
  python3 - "$work/one.json" "$server" "$op" "$((after - before))" >>"$results" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except ValueError:
    r = {"callsPerSecond": 0, "p50Ms": 0, "p95Ms": 0, "errors": -1, "answered": 0, "sessionsOpen": 0,
         "transport": "?", "label": "?"}
r.update(server=sys.argv[2], op=sys.argv[3], rows=int(sys.argv[4]))
print(json.dumps(r))
PY
  tail -n 1 "$results" | python3 -c 'import json,sys; d=json.load(sys.stdin); print("  %-36s %7.0f calls/s  p50 %6.2f  p95 %6.2f ms  err %d%s" % (d["label"], d["callsPerSecond"], d["p50Ms"], d["p95Ms"], d["errors"], "  rows %d/%d" % (d["rows"], d["answered"]) if d["op"] == "write" else ""))'
}
# each SERVER STORE PID: both operations over both transports (the peer: modern reads only, server-v2.mjs).
each() { for op in read write; do for t in streamable modern; do scenario "$1" "$2" "$3" $op $t; done; done; }

start_koan sqlite --db "$work/ours.sqlite"; each sqlite "$work/ours.sqlite" "$SERVER_PID"; stop "$SERVER_PID"
start_koan pg1 --database-url "$PG_URL"; each postgresql postgresql "$SERVER_PID"; stop "$SERVER_PID"
replicas=(); ports=()
for n in 1 2 3; do start_koan "pg3-$n" --database-url "$PG_URL"; replicas+=("$SERVER_PID"); ports+=("$SERVER_PORT"); done
start_nginx "${ports[@]}"
# Load spreads over three processes: no single --server-pid for the CPU sample.
each postgresql-3-nginx postgresql ""
stop "$NGINX_PID"; for p in "${replicas[@]}"; do stop "$p"; done
start_peer server.mjs
for op in read write; do scenario peer "$work/peer.sqlite" "$SERVER_PID" $op streamable; done
stop "$SERVER_PID"
start_peer server-v2.mjs; scenario peer-v2 "" "$SERVER_PID" read modern; stop "$SERVER_PID"

python3 - "$results" "$CONC" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {(r["server"], r["op"], r["transport"]): r for r in rows}
names = {"sqlite": "koan-mcp, SQLite", "postgresql": "koan-mcp, PostgreSQL, 1 replica",
         "postgresql-3-nginx": "koan-mcp, PostgreSQL, 3 replicas + nginx", "peer": "TypeScript SDK v1 peer, SQLite",
         "peer-v2": "TypeScript SDK v2 peer"}
print(f"\n{sys.argv[2]} calls in flight; rows: trial_site rows the write scenario added / calls answered. "
      "peer: its reads come from memory, its writes go to its SQLite file; modern peer (SDK v2) reads only.\n")
print("| operation | transport | server | calls/s | p50 ms | p95 ms | errors | rows | ÷ SQLite | ÷ peer |")
print("|---|---|---|---|---|---|---|---|---|---|")
ratio = lambda a, b: f"{a['callsPerSecond'] / b['callsPerSecond']:.2f}" if b and b["callsPerSecond"] else "–"
for op in ("read", "write"):
    for t in ("streamable", "modern"):
        base = by.get(("sqlite", op, t))
        peer = by.get(("peer" if t == "streamable" else "peer-v2", op, t))
        for s in names:
            r = by.get((s, op, t))
            if r is None:
                continue
            ours = not s.startswith("peer")
            rows_cell = f"{r['rows']}/{r['answered']}" if op == "write" else "–"
            print(f"| {op} | {t} | {names[s]} | {r['callsPerSecond']:.0f} | {r['p50Ms']:.2f} | {r['p95Ms']:.2f} | "
                  f"{r['errors']} | {rows_cell} | {ratio(r, base) if ours else '–'} | {ratio(r, peer) if ours else '–'} |")
# Never fails on a number: only on errors, no answers, or answered writes whose rows are missing.
bad = [r["label"] for r in rows
       if r["errors"] or r["answered"] == 0 or (r["op"] == "write" and r["rows"] != r["answered"])]
if bad:
    print("pg bench failed: errors, no answers or missing rows in " + ", ".join(bad)); sys.exit(1)
PY
