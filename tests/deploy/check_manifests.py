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
needed = {"KoanMcpConnectionsNearLimit", "KoanMcpAuthFailureRate", "KoanMcpLatencyP95High", "KoanMcpHttpSseTransportDisabled",
          "KoanMcpStreamableHttpTransportDisabled", "KoanMcpHttpsViolations", "KoanMcpSessionIdleTimeouts",
          "KoanMcpSessionsNearLimit"}
missing_alerts = needed - {r["alert"] for g in rules["groups"] for r in g["rules"]}
if missing_alerts:
    problems.append(f"alert rules missing: {sorted(missing_alerts)}")
for where, expr in exprs:
    for name in metric_names(expr):
        if name not in exported:
            problems.append(f"{where}: {name} is not exported by /metrics")
titles = {p["title"] for p in dash["panels"]}
for t in ("Active connections", "p95 request→event latency", "Auth failures", "Tool calls", "Tool call duration",
          "HTTPS violations", "Session timeouts"):
    if t not in titles:
        problems.append(f"dashboard lacks panel {t!r}")
# The two plan metrics are on the dashboard: HTTPS violations and the timeout close reasons.
dash_exprs = " ".join(e for w, e in exprs if w.startswith("dashboard "))
for needle in ("koan_mcp_https_violations_total", 'reason=~"idle_timeout|token_expired"'):
    if needle not in dash_exprs:
        problems.append(f"no dashboard panel queries {needle}")
ids = [p.get("id") for p in dash["panels"]]
if len(ids) != len(set(ids)):
    problems.append(f"dashboard panel ids are not unique: {ids}")

# Every alert has a summary and a description, and an on-call section in docs/runbook.md (a heading
# with the alert's name) that says what it means and the first steps; a runbook link in the
# description points at that section.
runbook = (src / "docs/runbook.md").read_text()
headings = {m.group(1).strip() for m in re.finditer(r"^#{2,4} (.+)$", runbook, re.M)}
def anchor(heading):
    return re.sub(r"[^a-z0-9 _-]", "", heading.lower()).replace(" ", "-")
anchors = {anchor(h) for h in headings}
for group in rules["groups"]:
    for rule in group["rules"]:
        name, ann = rule["alert"], rule.get("annotations", {})
        if not ann.get("summary") or not ann.get("description"):
            problems.append(f"alert {name}: summary and description are required")
        if not any(name in h for h in headings):
            problems.append(f"alert {name}: docs/runbook.md has no section for it")
        for link in re.findall(r"docs/runbook\.md#([\w-]+)", ann.get("description", "")):
            if link not in anchors:
                problems.append(f"alert {name}: runbook link #{link} matches no heading")

docs = list(yaml.safe_load_all((src / "deploy/k8s/koan-mcp.yaml").read_text()))
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
kinds = {k: v[0] for k, v in by_kind.items()}
workload_kind = "StatefulSet" if "StatefulSet" in kinds else "Deployment"
missing_kinds = [k for k in (workload_kind, "Service", "HorizontalPodAutoscaler") if k not in kinds]
problems += [f"k8s manifest lacks a {k}" for k in missing_kinds]
if not missing_kinds:
    dep = kinds[workload_kind]
    pod = dep["spec"]["template"]["spec"]
    c = pod["containers"][0]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    if dep["spec"]["selector"]["matchLabels"] != labels:
        problems.append(f"{workload_kind} selector does not match the pod labels")
    for svc in by_kind["Service"]:
        if svc["spec"]["selector"] != labels:
            problems.append(f"Service {svc['metadata']['name']} selector does not match the pod labels")
    if c["livenessProbe"]["httpGet"]["path"] != "/healthz" or c["readinessProbe"]["httpGet"]["path"] != "/readyz":
        problems.append("probes must use /healthz (liveness) and /readyz (readiness)")
    if "--headless" not in c["args"]:
        problems.append("the container must run --headless")
    target = kinds["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    if target["name"] != dep["metadata"]["name"] or target["kind"] != workload_kind:
        problems.append(f"HPA does not target the {workload_kind}")
    ports = {p["name"]: p["containerPort"] for p in c["ports"]}
    if ports.get("http") != 5114:
        problems.append("container port 'http' must be 5114")

    # Every ConfigMap / Secret the pod references is defined here, with the keys it asks for.
    defined = {(d["kind"], d["metadata"]["name"]): {**d.get("data", {}), **d.get("stringData", {})} for d in docs}
    refs = []  # (kind, name, key or None, where)
    for e in c.get("env", []):
        src_ = e.get("valueFrom", {})
        if "configMapKeyRef" in src_:
            refs.append(("ConfigMap", src_["configMapKeyRef"]["name"], src_["configMapKeyRef"]["key"], f"env {e['name']}"))
        if "secretKeyRef" in src_:
            refs.append(("Secret", src_["secretKeyRef"]["name"], src_["secretKeyRef"]["key"], f"env {e['name']}"))
    for ef in c.get("envFrom", []):
        if "configMapRef" in ef:
            refs.append(("ConfigMap", ef["configMapRef"]["name"], None, "envFrom"))
        if "secretRef" in ef:
            refs.append(("Secret", ef["secretRef"]["name"], None, "envFrom"))
    for v in pod.get("volumes", []):
        if "configMap" in v:
            for item in v["configMap"].get("items", [None]):
                refs.append(("ConfigMap", v["configMap"]["name"], item and item["key"], f"volume {v['name']}"))
        if "secret" in v:
            for item in v["secret"].get("items", [None]):
                refs.append(("Secret", v["secret"]["secretName"], item and item["key"], f"volume {v['name']}"))
    for kind, name, key, where in refs:
        if (kind, name) not in defined:
            problems.append(f"{where} references {kind} {name!r}, which the manifest does not define")
        elif key is not None and key not in defined[(kind, name)]:
            problems.append(f"{where} references key {key!r} of {kind} {name!r}, which it lacks")
    cm = defined.get(("ConfigMap", "koan-mcp"), {})
    if "appsettings.Production.json" in cm:
        shipped = json.loads((src / "deploy/appsettings.Production.json").read_text())
        if json.loads(cm["appsettings.Production.json"]) != shipped:
            problems.append("ConfigMap appsettings.Production.json differs from deploy/appsettings.Production.json")

    # Storage: every volume mounted is defined. Several replicas share one PostgreSQL store: DatabaseUrl comes
    # from a Secret (never inline: it holds the password), and no replica keeps a store of its own (a
    # per-pod SQLite file would give every pod different data and a fresh seed to each new one).
    claims = {t["metadata"]["name"] for t in dep["spec"].get("volumeClaimTemplates", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for m in c.get("volumeMounts", []):
        if m["name"] not in volumes and m["name"] not in claims:
            problems.append(f"volumeMount {m['name']!r} has no volume or volumeClaimTemplate")
    max_replicas = max(dep["spec"].get("replicas", 1), kinds["HorizontalPodAutoscaler"]["spec"]["maxReplicas"])
    env = {e["name"]: e for e in c.get("env", [])}
    url = env.get("KOAN_MCP__DatabaseUrl")
    if max_replicas > 1:
        if workload_kind != "Deployment" or claims:
            problems.append("replicas share the PostgreSQL store: a Deployment without a volume per pod")
        if not url or "secretKeyRef" not in url.get("valueFrom", {}):
            problems.append("KOAN_MCP__DatabaseUrl must come from a Secret (secretKeyRef) when several replicas run")
        if "KOAN_MCP__DatabasePath" in env:
            problems.append("no per-pod SQLite store (KOAN_MCP__DatabasePath) when several replicas run")
        ingress = by_kind.get("Ingress", [{}])[0].get("metadata", {}).get("annotations", {})
        retry = ingress.get("nginx.ingress.kubernetes.io/proxy-next-upstream", "")
        if not all(w in retry.split() for w in ("http_404", "non_idempotent")):
            problems.append("the Ingress must pass a non-owner's 404 on (proxy-next-upstream: http_404 non_idempotent), "
                            "as deploy/nginx does")
        if "sessionAffinity" in kinds["Service"]["spec"]:
            problems.append("no client affinity: sessions are found by passing 404s on, not by hashing addresses")
    elif not url:
        data_mount = next((m for m in c["volumeMounts"] if m["mountPath"] == "/var/lib/koan-mcp"), None)
        v = volumes.get(data_mount["name"], {}) if data_mount else {}
        if "persistentVolumeClaim" not in v and (not data_mount or data_mount["name"] not in claims):
            problems.append("a single replica with SQLite needs its store on a PersistentVolumeClaim")
    if workload_kind == "StatefulSet":
        headless = [s for s in by_kind["Service"] if s["metadata"]["name"] == dep["spec"].get("serviceName")]
        if not headless or headless[0]["spec"].get("clusterIP") != "None":
            problems.append("StatefulSet serviceName must name a headless Service (clusterIP: None)")

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
