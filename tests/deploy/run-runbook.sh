#!/usr/bin/env bash
# Executes every ```bash block of docs/runbook.md, in order, against a headless koan-mcp.
# Usage: run-runbook.sh <koan-mcp binary> <source dir> [development|production]
#   development: plain HTTP, authentication off (the defaults of a Development server)
#   production:  HTTPS served by koan-mcp (certificate made with openssl), RequireHttps, bearer tokens
#                required, Metrics:Access=Authenticated; ADMIN_TOKEN minted with `koan-mcp token`
set -euo pipefail
KOAN=$1; SRC=$2; MODE=${3:-development}
work=$(mktemp -d); server=
cleanup() {
  local rc=$?
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done   # our own curl streams
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
mkdir -p "$work/bin" && ln -s "$(readlink -f "$KOAN")" "$work/bin/koan-mcp"
export PATH="$work/bin:$PATH" HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
unset BASE CACERT ADMIN_TOKEN CLIENT_TOKEN KOAN_CONFIG_DIR KOAN_ENVIRONMENT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORT
server_args=(--headless --port "$PORT" --db "$work/runbook.sqlite")
stream_opts=()
if [ "$MODE" = production ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 2 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
  prod=(--set RequireAuthentication=true --set RequireHttps=true --set Metrics:Access=Authenticated
        --set "TlsCertificateFile=$work/tls.crt" --set "TlsKeyFile=$work/tls.key"
        --set "Auth:DevIssuerKeyFile=$work/dev-issuer.pem")
  server_args+=("${prod[@]}")
  ADMIN_TOKEN=$(koan-mcp token --sub operator --scope koan:admin --ttl 10m --set "Port=$PORT" "${prod[@]}")
  CLIENT_TOKEN=$(koan-mcp token --sub validation --scope clinical:operations --ttl 10m --set "Port=$PORT" "${prod[@]}")
  export BASE="https://127.0.0.1:$PORT" CACERT="$work/tls.crt" ADMIN_TOKEN CLIENT_TOKEN
  stream_opts=(--cacert "$CACERT" -H "Authorization: Bearer $ADMIN_TOKEN")
fi
koan-mcp "${server_args[@]}" 2>"$work/server.log" &
server=$!
url=${BASE:-http://127.0.0.1:$PORT}
tls=(); if [ -n "${CACERT:-}" ]; then tls=(--cacert "$CACERT"); fi
for _ in $(seq 100); do curl -fsS "${tls[@]}" "$url/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
if [ "$MODE" = production ]; then
  # It really is production-style: TLS only, no anonymous callers, metrics need a token.
  test "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$PORT/metrics" || true)" != 200
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CACERT" "$url/mcp/sse")" = 401
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CACERT" "$url/metrics")" = 401
  test "$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CACERT" "$url/admin/transports")" = 401
fi
# Two legacy clients are connected when the switch is pulled: they must get the final event.
curl -sN "${stream_opts[@]}" "$url/mcp/sse" >"$work/stream1" 2>/dev/null &
curl -sN "${stream_opts[@]}" "$url/mcp/sse" >"$work/stream2" 2>/dev/null &
for _ in $(seq 50); do grep -q 'event: endpoint' "$work/stream1" "$work/stream2" 2>/dev/null \
  && [ "$(grep -l 'event: endpoint' "$work/stream1" "$work/stream2" | wc -l)" = 2 ] && break; sleep 0.1; done
awk '/^```bash$/{on=1; next} /^```$/{on=0} on' "$SRC/docs/runbook.md" >"$work/steps.sh"
blocks=$(grep -c '^```bash$' "$SRC/docs/runbook.md")
echo "running $blocks runbook blocks ($(wc -l <"$work/steps.sh") lines) against $url ($MODE)"
(cd "$work" && bash -euo pipefail "$work/steps.sh") || { echo "runbook step failed ($MODE)"; cat "$work/server.log"; exit 1; }
for s in "$work/stream1" "$work/stream2"; do
  grep -q 'event: end' "$s" && grep -q 'transport_disabled' "$s" || { echo "stream $s did not get the final event"; cat "$s"; exit 1; }
done
# Shutdown: SIGTERM closes open streams with a final event and exits 0.
curl -sN "${stream_opts[@]}" "$url/mcp/sse" >"$work/stream3" 2>/dev/null &
for _ in $(seq 50); do grep -q 'event: endpoint' "$work/stream3" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$server"; rc=0; wait "$server" || rc=$?
server=
test "$rc" = 0 || { echo "koan-mcp exited $rc on SIGTERM"; cat "$work/server.log"; exit 1; }
sleep 0.2
grep -q 'server_shutdown' "$work/stream3" || { echo "no final event on shutdown"; cat "$work/stream3"; exit 1; }
grep -q 'stopped cleanly' "$work/server.log"
echo "runbook OK ($MODE): $blocks blocks, final events delivered to 2 legacy streams; clean SIGTERM shutdown"
