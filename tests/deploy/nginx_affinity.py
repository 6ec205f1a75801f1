#!/usr/bin/env python3
"""Sessions through nginx with several koan-mcp replicas and no affinity, on both HTTP transports.

nginx balances round robin (deploy/nginx/koan-mcp.conf): a follow-up request of a session lands
on any replica, and one that does not own the session answers 404, so nginx passes it on
(proxy_next_upstream http_404 non_idempotent) until the owner takes it. From many client
addresses (127.0.0.N: the whole 127/8 is loopback on Linux) it opens sessions through the proxy and
checks that every follow-up is served by the replica that owns the session:
  - legacy HTTP+SSE: GET /mcp/sse (creates), POST /mcp/rpc?sessionId=... (202 from the owner, 404
    from any other replica), and the answer must arrive on the open stream, promptly (unbuffered);
  - Streamable HTTP: POST initialize (creates), then requests with Mcp-Session-Id (404 elsewhere).
Then it asks every replica directly how many sessions it opened: all of them must have some.

Usage: nginx_affinity.py <nginx https port> <host name> <backend port>...
"""
import http.client, json, re, ssl, sys, time

https_port, host, backends = int(sys.argv[1]), sys.argv[2], [int(p) for p in sys.argv[3:]]
CLIENTS = [f"127.0.0.{n}" for n in range(10, 34)]  # 24 client addresses
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
problems = []


def conn(source):
    return http.client.HTTPSConnection("127.0.0.1", https_port, context=ctx, timeout=5, source_address=(source, 0))


def rpc(id_, method, params=None):
    m = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        m["params"] = params
    return json.dumps(m)


INIT = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "affinity", "version": "1"}}


def read_event(resp, deadline):
    """The next SSE event (name, data) from a streaming response, or None at the deadline."""
    event, data = "", []
    while time.monotonic() < deadline:
        line = resp.readline()
        if not line:
            return None
        line = line.decode().rstrip("\r\n")
        if line == "":
            if data or event:
                return event, "\n".join(data)
            continue
        if line.startswith(":"):
            continue
        if line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
    return None


def legacy(source):
    stream = conn(source)
    stream.request("GET", "/mcp/sse", headers={"Host": host, "Accept": "text/event-stream"})
    resp = stream.getresponse()
    if resp.status != 200:
        return f"GET /mcp/sse -> {resp.status}"
    started = time.monotonic()
    ev = read_event(resp, started + 2)
    if not ev or ev[0] != "endpoint":
        return f"no endpoint event within 2 s through nginx: {ev}"
    endpoint = ev[1]
    if not re.search(r"sessionId=[0-9a-f]+", endpoint):
        return f"endpoint without sessionId: {endpoint}"
    for i, (method, params) in enumerate([("initialize", INIT), ("tools/list", {})], start=1):
        post = conn(source)
        post.request("POST", endpoint, body=rpc(i, method, params), headers={"Host": host, "Content-Type": "application/json"})
        r = post.getresponse()
        body = r.read()
        post.close()
        if r.status != 202:
            return f"POST {endpoint} ({method}) -> {r.status} {body[:120]!r}: not the replica that owns the stream"
        sent = time.monotonic()
        while True:
            ev = read_event(resp, sent + 2)
            if ev is None:
                return f"the {method} answer did not arrive on the stream within 2 s (buffered?)"
            if ev[0] in ("", "message") and json.loads(ev[1]).get("id") == i:
                break
    stream.close()
    return None


def streamable(source):
    c = conn(source)
    h = {"Host": host, "Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    c.request("POST", "/mcp", body=rpc(1, "initialize", INIT), headers=h)
    r = c.getresponse()
    r.read()
    sid = r.getheader("Mcp-Session-Id")
    if r.status != 200 or not sid:
        return f"initialize -> {r.status}, session {sid}"
    h = dict(h, **{"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18"})
    for i, method in enumerate(["notifications/initialized", "tools/list", "ping"], start=2):
        body = json.dumps({"jsonrpc": "2.0", "method": method}) if method.startswith("notifications/") else rpc(i, method, {})
        c2 = conn(source)  # a new connection each time, as clients behind a pool would
        c2.request("POST", "/mcp", body=body, headers=h)
        r = c2.getresponse()
        r.read()
        c2.close()
        if r.status not in (200, 202):
            return f"{method} with Mcp-Session-Id -> {r.status}: not the replica that owns the session"
    c3 = conn(source)
    c3.request("DELETE", "/mcp", headers=h)
    r = c3.getresponse()
    r.read()
    if r.status not in (200, 204):
        return f"DELETE with Mcp-Session-Id -> {r.status}"
    return None


followups = 0
for source in CLIENTS:
    for name, check in (("legacy", legacy), ("streamable", streamable)):
        try:
            err = check(source)
        except Exception as e:  # noqa: BLE001 - report every failure the same way
            err = f"{type(e).__name__}: {e}"
        if err:
            problems.append(f"{name} from {source}: {err}")
        else:
            followups += 2 if name == "legacy" else 4

opened = {}
for port in backends:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    c.request("GET", "/metrics", headers={"Host": host, "X-Forwarded-Proto": "https"})
    text = c.getresponse().read().decode()
    opened[port] = sum(float(m) for m in re.findall(r'^koan_mcp_sessions_opened_total\{[^}]*\} (\S+)$', text, re.M))
if any(v == 0 for v in opened.values()):
    problems.append(f"sessions did not spread over the replicas: opened per backend port {opened}")

for p in problems:
    print("FAIL:", p)
print(f"routing: {len(CLIENTS)} client addresses x 2 transports, {followups} follow-ups, "
      f"sessions opened per replica {opened}: {'ok' if not problems else 'problems'}")
sys.exit(1 if problems else 0)
