#!/usr/bin/env bash
# Installs the pinned npm packages of the interop tests once (npm ci from the lock file).
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f node_modules/.koan-installed ] || [ package-lock.json -nt node_modules/.koan-installed ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
  touch node_modules/.koan-installed
fi
