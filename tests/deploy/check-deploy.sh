#!/usr/bin/env bash
# Validates deploy/: Production settings load (metrics not public), nginx -t and nginx in front of
# two replicas (TLS termination, unbuffered SSE, sessions on both transports with round robin and no affinity, /metrics and
# /admin not exposed), promtool on the alert rules and on a scrape, metric names, the Kubernetes
# manifest and the environment table.
# Usage: check-deploy.sh <koan-mcp binary> <source dir>
set -euo pipefail
KOAN=$(readlink -f "$1"); SRC=$(readlink -f "$2")
work=$(mktemp -d); pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work" XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

echo "== Production template loads"
KOAN_ENVIRONMENT=Production "$KOAN" --print-config --config-dir "$SRC/deploy" >"$work/prod.json"
grep -q '"RequireAuthentication": true' "$work/prod.json"
# Metrics are never public in production.
python3 -c 'import json,sys; a=json.load(open(sys.argv[1]))["Metrics"]["Access"]; sys.exit(0 if a in ("Authenticated","Loopback") else "Production Metrics:Access is "+a)' "$work/prod.json"
"$KOAN" --print-config --db :memory: >"$work/config.json" 2>/dev/null

echo "== koan-mcp behind nginx (RequireHttps, TrustedProxies)"
PORT=$(free_port)
"$KOAN" --headless --port "$PORT" --db "$work/k.sqlite" --set RequireHttps=true --set TrustedProxies=127.0.0.1 \
  --set AllowedHosts=mcp.example.org 2>"$work/koan.log" &
pids+=($!)
for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
# Direct plain HTTP is refused: RequireHttps, /metrics included (probes stay plain for the kubelet).
test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/mcp/capabilities")" = 308
test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")" = 308
# Scraped as through the TLS-terminating proxy (127.0.0.1 is a trusted proxy here).
curl -fsS -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$PORT/metrics" >"$work/metrics.txt"

python3 "$SRC/tests/deploy/check_manifests.py" "$SRC" "file://$work/metrics.txt" "$work/config.json"

if command -v nginx >/dev/null; then
  echo "== nginx in front of TWO koan-mcp replicas: TLS termination, round robin, no buffering, /metrics"
  # Metrics:Access=Loopback and authentication off: a proxied request must be neither a loopback
  # metrics scraper nor a loopback admin, although nginx connects from 127.0.0.1.
  backend_ports=()
  for n in 1 2; do
    P=$(free_port)
    "$KOAN" --headless --port "$P" --db "$work/replica$n.sqlite" --set RequireHttps=true --set TrustedProxies=127.0.0.1 \
      --set AllowedHosts=mcp.example.org --set Metrics:Access=Loopback 2>"$work/replica$n.log" &
    pids+=($!); backend_ports+=("$P")
  done
  for P in "${backend_ports[@]}"; do
    for _ in $(seq 100); do curl -fsS "http://127.0.0.1:$P/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  done
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 2 \
    -subj /CN=mcp.example.org -addext subjectAltName=DNS:mcp.example.org 2>/dev/null
  HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)
  # The shipped file, with test ports, the second replica enabled, and X-Accel-Buffering from the
  # replicas ignored: events must stream because of the config's own proxy_buffering off.
  sed -e "s#/etc/ssl/koan/#$work/#g" -e "s/listen 80;/listen 127.0.0.1:$HTTP_PORT;/" \
      -e "s/listen 443 ssl;/listen 127.0.0.1:$HTTPS_PORT ssl;/" -e "s/127.0.0.1:5114/127.0.0.1:${backend_ports[0]}/" \
      -e "s/# server 10.0.0.12:5114/server 127.0.0.1:${backend_ports[1]}/" \
      -e "s/proxy_buffering off;/proxy_buffering off; proxy_ignore_headers X-Accel-Buffering;/" \
      "$SRC/deploy/nginx/koan-mcp.conf" >"$work/koan-mcp.conf"
  grep -q "server 127.0.0.1:${backend_ports[1]}" "$work/koan-mcp.conf" || { echo "second upstream not enabled"; exit 1; }
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path $work/nginx/body; proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fcgi; uwsgi_temp_path $work/nginx/uwsgi; scgi_temp_path $work/nginx/scgi;
  include $work/koan-mcp.conf;
}
CONF
  nginx -t -p "$work/nginx" -c "$work/nginx.conf"
  nginx -p "$work/nginx" -c "$work/nginx.conf" -g 'daemon off;' &
  pids+=($!)
  for _ in $(seq 50); do curl -sk "https://127.0.0.1:$HTTPS_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.1; done
  via_nginx=(--resolve "mcp.example.org:$HTTPS_PORT:127.0.0.1")
  # The endpoint event must arrive at once through the proxy, over TLS.
  timeout 3 curl -skN "${via_nginx[@]}" "https://mcp.example.org:$HTTPS_PORT/mcp/sse" >"$work/stream" || true
  grep -q '^event: endpoint' "$work/stream" || { echo "no endpoint event through nginx"; cat "$work/stream"; exit 1; }
  test "$(curl -s -o /dev/null -w '%{http_code}' --resolve "mcp.example.org:$HTTP_PORT:127.0.0.1" "http://mcp.example.org:$HTTP_PORT/mcp/sse")" = 308
  # Every follow-up is served by the replica that owns the session (nginx passes 404s on), on both transports.
  python3 "$SRC/tests/deploy/nginx_affinity.py" "$HTTPS_PORT" mcp.example.org "${backend_ports[@]}"

  # /metrics: nginx refuses callers outside its allow list (127.0.0.2 is not in it) ...
  code=$(curl -sk -o "$work/m1" -w '%{http_code}' --interface 127.0.0.2 "${via_nginx[@]}" "https://mcp.example.org:$HTTPS_PORT/metrics")
  test "$code" = 403 || { echo "nginx served /metrics to an outside caller: $code"; exit 1; }
  # ... and koan-mcp (Access=Loopback) refuses what nginx does forward: the proxy is not a loopback caller.
  code=$(curl -sk -o "$work/m2" -w '%{http_code}' "${via_nginx[@]}" "https://mcp.example.org:$HTTPS_PORT/metrics")
  test "$code" = 403 && grep -q 'loopback callers' "$work/m2" || { echo "/metrics through nginx: $code"; cat "$work/m2"; exit 1; }
  # The admin endpoints (authentication off) likewise: loopback callers only, not proxied ones.
  code=$(curl -sk -o "$work/a1" -w '%{http_code}' "${via_nginx[@]}" "https://mcp.example.org:$HTTPS_PORT/admin/transports")
  test "$code" = 403 || { echo "/admin/transports through nginx: $code"; cat "$work/a1"; exit 1; }
  # Direct loopback callers still get both.
  direct=(-fsS -H 'Host: mcp.example.org' -H 'X-Forwarded-Proto: https')
  curl "${direct[@]}" -o "$work/m3" "http://127.0.0.1:${backend_ports[0]}/metrics" && grep -q '^koan_mcp_sessions_active' "$work/m3"
  curl "${direct[@]}" -o "$work/a2" "http://127.0.0.1:${backend_ports[0]}/admin/transports" && grep -q '"httpSse":true' "$work/a2"
  echo "nginx: config valid, SSE streamed unbuffered through TLS termination, sessions served on both transports without affinity, /metrics and /admin not exposed"
else
  echo "SKIP nginx checks: nginx is not installed (apt-get install nginx-light)"
fi

if command -v promtool >/dev/null; then
  promtool check rules "$SRC/deploy/prometheus/alerts.yml"
  # Each alert fires on the series it is about and stays quiet on normal ones (unit tests; the
  # annotations' text is checked by check_manifests.py, so the copy here leaves them out).
  python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1]))
for g in d["groups"]:
    for r in g["rules"]: r.pop("annotations", None)
yaml.safe_dump(d, open(sys.argv[2], "w"))' "$SRC/deploy/prometheus/alerts.yml" "$work/alerts.yml"
  cp "$SRC/tests/deploy/alerts_test.yml" "$work/alerts_test.yml"
  promtool test rules "$work/alerts_test.yml"
  # The exposition itself, as Prometheus would parse it (lint problems are errors too).
  promtool check metrics <"$work/metrics.txt"
  # ... and one after real traffic (sessions on both transports, latency histograms) when nginx ran.
  if [ -s "$work/m3" ]; then promtool check metrics <"$work/m3"; fi
  echo "promtool: rules valid, alert unit tests passed, scraped metrics valid"
else
  echo "SKIP promtool: not installed (apt-get install prometheus)"
fi
echo "deploy kit OK"
