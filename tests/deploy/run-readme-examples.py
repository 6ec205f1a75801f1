#!/usr/bin/env python3
"""Runs the README's ```bash blocks marked `<!-- run: NAME -->` against a real koan-mcp (a development
server on a free port: the blocks' http://127.0.0.1:5114 is rewritten to it) and checks each block's
`# expect:` lines (text its output must contain). A marked block without `# expect:` lines fails, and so
does a README with no marked block, so the examples cannot silently stop being checked.
Usage: run-readme-examples.py <koan-mcp binary> <source dir>"""
import os, pathlib, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

koan, src = os.path.realpath(sys.argv[1]), pathlib.Path(sys.argv[2])
readme = (src / "README.md").read_text()
blocks = re.findall(r"^<!-- run: ([\w-]+) -->\n```bash\n(.*?)^```$", readme, re.S | re.M)
if not blocks:
    sys.exit("README.md has no <!-- run: NAME --> block")

work = pathlib.Path(tempfile.mkdtemp())
env = dict(os.environ, HOME=str(work), XDG_CONFIG_HOME=str(work / "config"), XDG_DATA_HOME=str(work / "data"))
for v in ("KOAN_CONFIG_DIR", "KOAN_ENVIRONMENT", "DISPLAY", "WAYLAND_DISPLAY"):
    env.pop(v, None)
with socket.socket() as s:
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
log = work / "server.log"
server = subprocess.Popen([koan, "--headless", "--port", str(port), "--db", str(work / "readme.sqlite")], env=env,
                          stdout=subprocess.DEVNULL, stderr=open(log, "w"))
problems = []
try:
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except Exception:
            time.sleep(0.1)
    else:
        sys.exit(f"koan-mcp did not start:\n{log.read_text()}")
    for name, code in blocks:
        expects = [e.strip() for e in re.findall(r"^# expect: (.*)$", code, re.M)]
        if not expects:
            problems.append(f"block {name} has no '# expect:' line")
            continue
        script = code.replace("http://127.0.0.1:5114", base)
        try:
            r = subprocess.run(["bash", "-c", script], env=env, cwd=work, capture_output=True, text=True, timeout=60)
            out = r.stdout + r.stderr
        except subprocess.TimeoutExpired as e:
            out = f"(timed out after 60 s)\n{e.stdout or ''}{e.stderr or ''}"
        missing = [x for x in expects if x not in out]
        if missing:
            problems.append(f"{name}: output lacks {missing}\n--- output ---\n{out}")
            print(f"FAIL {name}")
        else:
            print(f"ok   {name} ({len(expects)} expectations)")
finally:
    server.terminate()
    server.wait(10)
    shutil.rmtree(work, ignore_errors=True)
for p in problems:
    print(p)
sys.exit(1 if problems else 0)
