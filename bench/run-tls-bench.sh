#!/usr/bin/env bash
# HTTPS GET /healthz latency (fresh verified connection: TCP + TLS handshake + request) with and
# without 500 stalled TLS handshakes, against koan-mcp and the TypeScript SDK peer (Node's https)
# in one run. See bench/README.md, "TLS accept under stalled handshakes".
#   bench/run-tls-bench.sh [build dir] [seconds per scenario, default 10]
set -euo pipefail
BUILD=$(readlink -f "${1:-build}"); DUR=${2:-10}
source "$(dirname "$0")/lib.sh"
KOAN="$BUILD/app/koan-mcp"
bench_init

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
install_peer

results="$work/results.jsonl"; : >"$results"
probe() { # label port path [tls-stall.py args]
  local label=$1 port=$2 path=$3; shift 3
  python3 "$HERE/tls-stall.py" --port "$port" --cacert "$work/cert.pem" --path "$path" --duration "$DUR" --label "$label" "$@" | tee -a "$results"
}
for who in ours peer; do
  port=$(free_port)
  if [ $who = ours ]; then
    # Default TlsHandshakeTimeout (10 s): trickling clients are cut off and reopened by the churn.
    "$KOAN" --headless --port "$port" --db :memory: --set "TlsCertificateFile=$work/cert.pem" --set "TlsKeyFile=$work/key.pem" \
      2>"$work/ours.log" &
    path=/healthz
  else
    node "$HERE/peer/server.mjs" --port "$port" --tls "$work/cert.pem" "$work/key.pem" 2>"$work/peer.log" &
    path=/health
  fi
  pid=$!; pids+=($pid); wait_up "https://127.0.0.1:$port$path" --cacert "$work/cert.pem"
  probe "$who/idle" "$port" "$path"
  probe "$who/500-stalled" "$port" "$path" --stalled 500
  probe "$who/500-stalled-churn-50/s" "$port" "$path" --stalled 500 --churn 50
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

python3 - "$results" <<'PY'
import json, sys
rows = {r["label"]: r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip())}
print("\n| scenario | ours p50 ms | ours p95 ms | ours max ms | ours failed | peer p50 ms | peer p95 ms | peer max ms | peer failed | p95 ours/peer |")
print("|---|---|---|---|---|---|---|---|---|---|")
for s in ("idle", "500-stalled", "500-stalled-churn-50/s"):
    o, p = rows.get("ours/" + s), rows.get("peer/" + s)
    f = lambda r, k: "–" if r is None or r[k] is None else (f"{r[k]:.2f}" if isinstance(r[k], float) else str(r[k]))
    ratio = f"{o['p95Ms'] / p['p95Ms']:.2f}" if o and p and o["p95Ms"] and p["p95Ms"] else "–"
    print(f"| {s} | {f(o,'p50Ms')} | {f(o,'p95Ms')} | {f(o,'maxMs')} | {f(o,'failed')}/{f(o,'probes')} | "
          f"{f(p,'p50Ms')} | {f(p,'p95Ms')} | {f(p,'maxMs')} | {f(p,'failed')}/{f(p,'probes')} | {ratio} |")
PY
