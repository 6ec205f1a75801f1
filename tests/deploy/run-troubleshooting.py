#!/usr/bin/env python3
"""Runs every ```bash block of the README's Troubleshooting section against a real koan-mcp set up to
show the symptom, and checks the block's `# expect:` lines (text its output must contain).

Each block follows a `<!-- check: NAME -->` line; NAME picks the scenario below (server settings, state
prepared before the block). A block without a marker, a marker without a scenario and a scenario without
a block are all failures, so a new entry cannot go unchecked.
Usage: run-troubleshooting.py <koan-mcp binary> <source dir>"""
import os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request, ssl, pathlib

koan, src = os.path.realpath(sys.argv[1]), pathlib.Path(sys.argv[2])
readme = (src / "README.md").read_text()
m = re.search(r"^## Troubleshooting\n(.*?)(?=^## )", readme, re.S | re.M)
if not m:
    sys.exit("README.md has no '## Troubleshooting' section")
section = m.group(1)
blocks = []  # (name, code, expects)
for b in re.finditer(r"(?:<!-- check: ([\w-]+) -->\n)?```bash\n(.*?)^```$", section, re.S | re.M):
    if not b.group(1):
        sys.exit("a bash block in Troubleshooting has no <!-- check: NAME --> marker:\n" + b.group(2))
    code = b.group(2)
    expects = [e.strip() for e in re.findall(r"^# expect: (.*)$", code, re.M)]
    if not expects:
        sys.exit(f"block {b.group(1)} has no '# expect:' line")
    blocks.append((b.group(1), code, expects))

work = pathlib.Path(tempfile.mkdtemp())
(work / "bin").mkdir()
os.symlink(koan, work / "bin" / "koan-mcp")
env = dict(os.environ, PATH=f"{work / 'bin'}:{os.environ['PATH']}", HOME=str(work),
           XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"))
for v in ("BASE", "CACERT", "SID", "KOAN_CONFIG_DIR", "KOAN_ENVIRONMENT", "DISPLAY", "WAYLAND_DISPLAY"):
    env.pop(v, None)
procs = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(*settings, tls=False, port=None):
    """A headless koan-mcp with `--set` settings; returns (BASE, port, log path)."""
    port = port or free_port()
    args = [koan, "--headless", "--port", str(port), "--db", str(work / f"{port}.sqlite")]
    extra = {}
    if tls:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(work / "tls.key"),
                        "-out", str(work / "tls.crt"), "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"], check=True, capture_output=True)
        settings += (f"TlsCertificateFile={work / 'tls.crt'}", f"TlsKeyFile={work / 'tls.key'}")
        extra["CACERT"] = str(work / "tls.crt")
    for s in settings:
        args += ["--set", s]
    log = work / f"server-{port}.log"
    p = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    procs.append(p)
    base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    ctx = ssl.create_default_context(cafile=extra.get("CACERT")) if tls else None
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1, context=ctx)
            break
        except Exception:
            time.sleep(0.1)
    else:
        sys.exit(f"koan-mcp did not start:\n{log.read_text()}")
    return dict(extra, BASE=base), p, port, log


def stop(p):
    p.terminate()
    p.wait(10)


def legacy_stream(base):
    """An open legacy stream (curl in the background) once its endpoint event is in."""
    out = work / f"stream-{len(procs)}"
    p = subprocess.Popen(["curl", "-sN", base + "/mcp/sse"], stdout=open(out, "w"), stderr=subprocess.DEVNULL)
    procs.append(p)
    for _ in range(50):
        if "event: endpoint" in out.read_text():
            return out.read_text()
        time.sleep(0.1)
    sys.exit("no endpoint event on the legacy stream")


def streamable_session(base):
    body = b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
    req = urllib.request.Request(base + "/mcp", data=body, method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return r.headers["Mcp-Session-Id"]


# name -> function returning (extra environment for the block, cleanup, after-check)
def dev():
    e, p, _, _ = start()
    return e, lambda: stop(p), None


def scenario_auth():
    e, p, _, _ = start("RequireAuthentication=true", "Auth:RequiredScopes=clinical:operations")
    return e, lambda: stop(p), None


def scenario_session_404():
    # A real session, then a restart on the same port: the id the client holds is gone.
    e, p, port, _ = start()
    sid = streamable_session(e["BASE"])
    stop(p)
    e, p, _, _ = start(port=port)
    return dict(e, SID=sid), lambda: stop(p), None


def scenario_rate_limit():
    e, p, _, _ = start("RateLimit:Enabled=true", "RateLimit:PermitsPerSecond=1", "RateLimit:Burst=3")
    return e, lambda: stop(p), None


def scenario_limits():
    e, p, _, _ = start("MaxConcurrentConnections=1", "MaxSessions=2")
    legacy_stream(e["BASE"])  # 1 of 1 streams, 1 of 2 sessions
    return e, lambda: stop(p), None


def scenario_tls():
    e, p, _, _ = start(tls=True)
    return e, lambda: stop(p), None


def scenario_idle():
    e, p, _, log = start("SseConnectionTimeout=2s")
    def after():  # the server's side of it: one info line per sweep
        for _ in range(30):
            if "closed 1 idle and 0 token-expired session(s)" in log.read_text():
                return None
            time.sleep(0.1)
        return "no 'closed 1 idle and 0 token-expired session(s)' line in the server log:\n" + log.read_text()
    return e, lambda: stop(p), after


def scenario_console():
    e, p, _, _ = start()
    # An agent's STDIO server: its own process, its own session.
    stdio = subprocess.Popen(["koan-mcp", "--stdio", "--db", ":memory:"], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(stdio)
    def cleanup():
        stdio.stdin.close(); stdio.wait(10); stop(p)
    return e, cleanup, None


def scenario_https():
    e, p, _, _ = start("RequireHttps=true", "TrustedProxies=127.0.0.1")
    return e, lambda: stop(p), None


def no_server():
    return {"BASE": "http://127.0.0.1:9"}, lambda: None, None


scenarios = {
    "base": dev, "auth": scenario_auth, "host-origin": dev, "session-404": scenario_session_404, "framing": dev,
    "rate-limit": scenario_rate_limit, "limits-503": scenario_limits, "buffering": dev, "tls": scenario_tls,
    "idle-timeout": scenario_idle, "console-no-sessions": scenario_console, "stdio-silent": no_server,
    "protocol-version": dev, "https-required": scenario_https, "store-unreachable": no_server,
    "protocol-era": dev,
}
names = [n for n, _, _ in blocks]
problems = [f"check {n!r} in README has no scenario in {sys.argv[0]}" for n in names if n not in scenarios]
problems += [f"scenario {n!r} has no block in the README's Troubleshooting section" for n in scenarios if n not in names]
passed = failed = 0
try:
    for name, code, expects in blocks:
        if name not in scenarios:
            continue
        extra, cleanup, after = scenarios[name]()
        t0 = time.monotonic()
        try:
            r = subprocess.run(["bash", "-o", "pipefail", "-c", code], env=dict(env, **extra), cwd=work,
                               capture_output=True, text=True, timeout=60)
            out = r.stdout + r.stderr
        except subprocess.TimeoutExpired as e:
            out = f"(timed out after 60 s)\n{e.stdout or ''}{e.stderr or ''}"
        missing = [x for x in expects if x not in out]
        late = after() if after else None
        cleanup()
        if missing or late:
            failed += 1
            problems.append(f"{name}: output lacks {missing}{' / ' + late if late else ''}\n--- output ---\n{out}")
            print(f"FAIL {name} ({time.monotonic() - t0:.1f} s)")
        else:
            passed += 1
            print(f"ok   {name} ({len(expects)} expectations, {time.monotonic() - t0:.1f} s)")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
    shutil.rmtree(work, ignore_errors=True)
for p in problems:
    print("FAIL:", p)
print(f"troubleshooting: {passed} passed, {len(problems)} failed")
sys.exit(1 if problems else 0)
