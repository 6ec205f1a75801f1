#!/usr/bin/env python3
"""Validates the deployment kit against a live koan-mcp: every metric the dashboard and the
alert rules use is exported, the Kubernetes manifest is consistent, and every setting is
documented in deploy/ENVIRONMENT.md.  Usage: check_manifests.py <source dir> <metrics URL> <print-config JSON file>"""
import json, re, sys, urllib.request, pathlib
import yaml  # Debian: python3-yaml

src, metrics_url, config_file = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
problems = []
exported = set()
for line in urllib.request.urlopen(metrics_url, timeout=5).read().decode().splitlines():
    m = re.match(r"# TYPE (\S+) (\S+)", line)
    if m:
        exported.add(m.group(1))
        if m.group(2) == "histogram":
            exported.update({m.group(1) + s for s in ("_bucket", "_sum", "_count")})

def metric_names(expr):
    words = set(re.findall(r"\b(koan_mcp_[a-z_]+)\b", expr))
    return words

exprs = []
dash = json.loads((src / "deploy/grafana/koan-mcp-dashboard.json").read_text())
for panel in dash["panels"]:
    for t in panel.get("targets", []):
        exprs.append(("dashboard " + panel["title"], t["expr"]))
rules = yaml.safe_load((src / "deploy/prometheus/alerts.yml").read_text())
for group in rules["groups"]:
    for rule in group["rules"]:
        exprs.append(("alert " + rule["alert"], rule["expr"]))
needed = {"KoanMcpConnectionsNearLimit", "KoanMcpAuthFailureRate", "KoanMcpLatencyP95High", "KoanMcpHttpSseTransportDisabled"}
missing_alerts = needed - {r["alert"] for g in rules["groups"] for r in g["rules"]}
if missing_alerts:
    problems.append(f"alert rules missing: {sorted(missing_alerts)}")
for where, expr in exprs:
    for name in metric_names(expr):
        if name not in exported:
            problems.append(f"{where}: {name} is not exported by /metrics")
titles = {p["title"] for p in dash["panels"]}
for t in ("Active connections", "p95 request→event latency", "Auth failures", "Tool calls"):
    if t not in titles:
        problems.append(f"dashboard lacks panel {t!r}")

docs = list(yaml.safe_load_all((src / "deploy/k8s/koan-mcp.yaml").read_text()))
kinds = {d["kind"]: d for d in docs}
for k in ("Deployment", "Service", "HorizontalPodAutoscaler"):
    if k not in kinds:
        problems.append(f"k8s manifest lacks a {k}")
if not problems:
    dep = kinds["Deployment"]
    c = dep["spec"]["template"]["spec"]["containers"][0]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    if dep["spec"]["selector"]["matchLabels"] != labels:
        problems.append("Deployment selector does not match the pod labels")
    if kinds["Service"]["spec"]["selector"] != labels:
        problems.append("Service selector does not match the pod labels")
    if c["livenessProbe"]["httpGet"]["path"] != "/healthz" or c["readinessProbe"]["httpGet"]["path"] != "/readyz":
        problems.append("probes must use /healthz (liveness) and /readyz (readiness)")
    if "--headless" not in c["args"]:
        problems.append("the container must run --headless")
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    if target["name"] != dep["metadata"]["name"] or target["kind"] != "Deployment":
        problems.append("HPA does not target the Deployment")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    if ports.get("http") != 5114:
        problems.append("container port 'http' must be 5114")

env_doc = (src / "deploy/ENVIRONMENT.md").read_text()
config = json.loads(pathlib.Path(config_file).read_text())
def keys(prefix, obj):
    for k, v in obj.items():
        if isinstance(v, dict) and k != "EntityOverrides":
            yield from keys(prefix + k + "__", v)
        else:
            yield prefix + k
for key in keys("KOAN_MCP__", config):
    if f"`{key}`" not in env_doc and f"`{key}__N`" not in env_doc and not key.endswith("EntityOverrides"):
        problems.append(f"deploy/ENVIRONMENT.md does not document {key}")

for p in problems:
    print("FAIL:", p)
print(f"checked {len(exprs)} PromQL expressions against {len(exported)} exported series names, "
      f"{len(docs)} k8s documents, environment table: {'ok' if not problems else 'problems'}")
sys.exit(1 if problems else 0)
