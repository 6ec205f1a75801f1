#!/usr/bin/env bash
# Executes every ```bash block of docs/runbook.md, in order, against a headless koan-mcp.
# Usage: run-runbook.sh <koan-mcp binary> <source dir>
set -euo pipefail
KOAN=$1; SRC=$2
work=$(mktemp -d); trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/bin" && ln -s "$(readlink -f "$KOAN")" "$work/bin/koan-mcp"
export PATH="$work/bin:$PATH" HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export PORT
koan-mcp --headless --port "$PORT" --db "$work/runbook.sqlite" 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
# Two legacy clients are connected when the switch is pulled: they must get the final event.
curl -sN "http://127.0.0.1:$PORT/mcp/sse" >"$work/stream1" 2>/dev/null &
curl -sN "http://127.0.0.1:$PORT/mcp/sse" >"$work/stream2" 2>/dev/null &
sleep 0.5
awk '/^```bash$/{on=1; next} /^```$/{on=0} on' "$SRC/docs/runbook.md" >"$work/steps.sh"
blocks=$(grep -c '^```bash$' "$SRC/docs/runbook.md")
echo "running $blocks runbook blocks ($(wc -l <"$work/steps.sh") lines) against port $PORT"
bash -euo pipefail "$work/steps.sh"
for s in "$work/stream1" "$work/stream2"; do
  grep -q 'event: end' "$s" && grep -q 'transport_disabled' "$s" || { echo "stream $s did not get the final event"; cat "$s"; exit 1; }
done
# Shutdown: SIGTERM closes open streams with a final event and exits 0.
curl -sN "http://127.0.0.1:$PORT/mcp/sse" >"$work/stream3" 2>/dev/null &
sleep 0.3
kill -TERM "$server"; rc=0; wait "$server" || rc=$?
test "$rc" = 0 || { echo "koan-mcp exited $rc on SIGTERM"; cat "$work/server.log"; exit 1; }
sleep 0.2
grep -q 'server_shutdown' "$work/stream3" || { echo "no final event on shutdown"; cat "$work/stream3"; exit 1; }
grep -q 'stopped cleanly' "$work/server.log"
echo "runbook OK: $blocks blocks, final events delivered to 2 legacy streams; clean SIGTERM shutdown"
