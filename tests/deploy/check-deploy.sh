#!/usr/bin/env bash
# Validates deploy/: Production settings load, nginx -t and a live SSE stream through nginx
# (TLS termination, no buffering, X-Forwarded-Proto trusted), promtool on the alert rules,
# metric names, the Kubernetes manifest and the environment table.
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
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 2 \
    -subj /CN=mcp.example.org -addext subjectAltName=DNS:mcp.example.org 2>/dev/null
  HTTP_PORT=$(free_port); HTTPS_PORT=$(free_port)
  sed -e "s#/etc/ssl/koan/#$work/#g" -e "s/listen 80;/listen 127.0.0.1:$HTTP_PORT;/" \
      -e "s/listen 443 ssl;/listen 127.0.0.1:$HTTPS_PORT ssl;/" -e "s/127.0.0.1:5114/127.0.0.1:$PORT/" \
      "$SRC/deploy/nginx/koan-mcp.conf" >"$work/koan-mcp.conf"
  mkdir -p "$work/nginx/logs"
  cat >"$work/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/logs/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 256; }
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
  # The endpoint event must arrive at once through the proxy (no buffering), over TLS.
  timeout 3 curl -skN --resolve "mcp.example.org:$HTTPS_PORT:127.0.0.1" "https://mcp.example.org:$HTTPS_PORT/mcp/sse" >"$work/stream" || true
  grep -q '^event: endpoint' "$work/stream" || { echo "no endpoint event through nginx"; cat "$work/stream"; exit 1; }
  test "$(curl -s -o /dev/null -w '%{http_code}' --resolve "mcp.example.org:$HTTP_PORT:127.0.0.1" "http://mcp.example.org:$HTTP_PORT/mcp/sse")" = 308
  echo "nginx: config valid, SSE streamed through TLS termination"
else
  echo "SKIP nginx checks: nginx is not installed (apt-get install nginx-light)"
fi

if command -v promtool >/dev/null; then
  promtool check rules "$SRC/deploy/prometheus/alerts.yml"
else
  echo "SKIP promtool: not installed (apt-get install prometheus)"
fi
echo "deploy kit OK"
