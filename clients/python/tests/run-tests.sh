#!/usr/bin/env bash
# Runs the Python client's tests against a real koan-mcp (ctest: clients_python).
# Usage: run-tests.sh <koan-mcp binary>
set -euo pipefail
export KOAN_MCP_BINARY=$(readlink -f "$1")
cd "$(dirname "$0")/.."
# Debian's python3 is what CI has (and what python3-venv serves); prefer it over a pyenv shim.
PY=/usr/bin/python3; [ -x "$PY" ] || PY=$(command -v python3)
export KOAN_REQUIRE_VENV=1 PYTHONDONTWRITEBYTECODE=1
unset KOAN_TOKEN KOAN_MCP_URL
echo "python: $("$PY" --version 2>&1) ($PY)"
"$PY" -m unittest discover -s tests -t tests -v 2>&1
