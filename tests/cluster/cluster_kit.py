"""What the cluster scenarios share: a throwaway PostgreSQL owned by an unprivileged user, koan-mcp
replicas on it, real nginx with the shipped deploy/nginx config in front of them, and the clients
(2025-era Streamable and legacy HTTP+SSE sessions, 2026-07-28 stateless calls and listen streams).

A scenario calls init(argv) first; Cluster.open() then skips (exit 77) without PostgreSQL or nginx.
"""
import glob, http.client, json, os, queue, re, shutil, socket, ssl, subprocess, tempfile, threading, time

KOAN, SRC = None, None
PASSWORD = "cluster-Pg-s3cret_pw"
HOST = "mcp.example.org"
INIT = {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "cluster-test", "version": "1"}}
META = {"io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "cluster-test", "version": "1"}}
T0 = time.monotonic()
failures = []


def init(argv):
    global KOAN, SRC
    KOAN, SRC = os.path.abspath(argv[1]), os.path.abspath(argv[2])


def log(msg):
    print(f"[{time.monotonic() - T0:5.1f}s] {msg}", flush=True)


def check(ok, what):
    if not ok:
        failures.append(what)
        log("FAIL: " + what)
    return ok


def wait_for(pred, timeout, step=0.05):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(step)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pg_bindir():
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: -int(re.findall(r"/(\d+)/", p)[0])):
        if os.path.exists(d + "/initdb"):
            return d
    initdb = shutil.which("initdb")
    return os.path.dirname(initdb) if initdb else None


class Postgres:
    """A throwaway cluster owned by an unprivileged user (nobody when root runs the tests)."""

    def __init__(self, bindir):
        self.bin = bindir
        self.dir = tempfile.mkdtemp(prefix="koan-cluster-pg-", dir="/tmp")
        self.port = free_port()
        self.as_user = ["runuser", "-u", "nobody", "--"] if os.geteuid() == 0 else []
        pw = os.path.join(self.dir, "pw")
        with open(pw, "w") as f:
            f.write(PASSWORD)
        if self.as_user:
            os.chown(self.dir, 65534, 65534)
            os.chown(pw, 65534, 65534)
        self.run("initdb", "-D", self.data, "-U", "koan", "--pwfile=" + pw, "--auth=scram-sha-256", "--encoding=UTF8",
                 "--locale=C.UTF-8", "--no-sync")
        os.remove(pw)

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def run(self, tool, *args):
        subprocess.run(self.as_user + [os.path.join(self.bin, tool), *args], check=True, cwd=self.dir,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, timeout=90)

    def options(self):
        return f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-o", self.options(), "-w", "-t",
                 "60", "start")

    def stop(self, mode="immediate"):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop")

    def restart(self, mode="fast"):
        self.run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-o", self.options(), "-m", mode,
                 "-w", "-t", "60", "restart")

    def url(self):
        return f"postgresql://koan:{PASSWORD}@127.0.0.1:{self.port}/postgres"

    def cleanup(self):
        try:
            self.stop()
        except Exception:  # noqa: BLE001 - already stopped
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class Replica:
    def __init__(self, work, name, url):
        self.name, self.url, self.port = name, url, free_port()
        self.home = os.path.join(work, name)
        os.makedirs(self.home)
        self.log_path = os.path.join(self.home, "stderr.log")
        self.proc, self.id = None, None

    def start(self, settings_file_switch=None, settings=()):
        """settings: extra --set KEY=VALUE pairs."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("KOAN")}
        env.update(HOME=self.home, XDG_CONFIG_HOME=self.home + "/config", XDG_DATA_HOME=self.home + "/data")
        args = [KOAN, "--headless", "--port", str(self.port), "--database-url", self.url, "--set",
                "AllowedHosts=" + HOST, "--set", "TrustedProxies=127.0.0.1"]
        if settings_file_switch is not None:
            args += ["--set", f"EnableHttpSseTransport={'true' if settings_file_switch else 'false'}"]
        for s in settings:
            args += ["--set", s]
        self.proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.log_path, "ab"))

    def wait_ready(self, timeout=30):
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {self.log()[-2000:]}")
            try:
                st, _, body = direct(self.port, "GET", "/readyz")
                return st == 200 and json.loads(body)
            except OSError:
                return None
        r = wait_for(ready, timeout, 0.1)
        if not r:
            raise RuntimeError(f"{self.name} not ready: {self.log()[-2000:]}")
        self.id = r["store"].get("replica")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def log(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()


def direct(port, method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    h = {"Host": HOST, "X-Forwarded-Proto": "https"}
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE
NGINX_PORT = None


def via_nginx(method, path, body=None, headers=None, timeout=10):
    c = http.client.HTTPSConnection("127.0.0.1", NGINX_PORT, context=TLS, timeout=timeout)
    h = {"Host": HOST}
    h.update(headers or {})
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, data


def via_nginx_ok(path):
    try:
        return via_nginx("GET", path)[0] == 200
    except OSError:
        return False


def rpc(id_, method, params=None):
    m = {"jsonrpc": "2.0", "id": id_, "method": method}
    if params is not None:
        m["params"] = params
    return json.dumps(m)


def answer_of(headers, body):
    """The JSON-RPC answer of a Streamable HTTP response, JSON or one SSE event."""
    if headers.get("content-type", "").startswith("text/event-stream"):
        for line in body.decode().splitlines():
            if line.startswith("data:"):
                m = json.loads(line[5:])
                if "id" in m:
                    return m
        return None
    return json.loads(body) if body else None


STREAMABLE = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}


class StreamableSession:
    def __init__(self):
        st, h, b = via_nginx("POST", "/mcp", rpc(1, "initialize", INIT), STREAMABLE)
        self.id = h.get("mcp-session-id")
        if st != 200 or not self.id:
            raise RuntimeError(f"initialize -> {st} {b[:200]!r}")
        self.headers = dict(STREAMABLE, **{"Mcp-Session-Id": self.id, "MCP-Protocol-Version": "2025-06-18"})
        st, _, b = via_nginx("POST", "/mcp", json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}),
                             self.headers)
        if st != 202:
            raise RuntimeError(f"notifications/initialized -> {st} {b[:200]!r}")
        self.next = 2

    def call(self, method, params=None):
        i = self.next
        self.next += 1
        st, h, b = via_nginx("POST", "/mcp", rpc(i, method, params or {}), self.headers)
        if st != 200:
            return st, None
        a = answer_of(h, b)
        return st, a if a and a.get("id") == i else None


class EventStream:
    """An open SSE response, read on a thread of its own into `events` as (event, data, monotonic time),
    ("closed", "", time) when it ends; `seen` keeps every one of them, in order."""

    def __init__(self, conn, resp):
        self.conn, self.resp = conn, resp
        self.events = queue.Queue()
        self.seen = []
        self.ended = threading.Event()
        threading.Thread(target=self.read, daemon=True).start()

    def read(self):
        event, data = "", []
        try:
            while True:
                line = self.resp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\r\n")
                if line == "":
                    if data or event:
                        self.put((event or "message", "\n".join(data), time.monotonic()))
                    event, data = "", []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].lstrip())
        except Exception:  # noqa: BLE001 - the stream ended, however http.client reports it
            pass
        self.put(("closed", "", time.monotonic()))
        self.ended.set()

    def put(self, ev):
        self.seen.append(ev)
        self.events.put(ev)

    def updates(self, uri):
        """When notifications/resources/updated for `uri` arrived."""
        out = []
        for ev in list(self.seen):
            if ev[0] == "message":
                m = json.loads(ev[1])
                if m.get("method") == "notifications/resources/updated" and m["params"].get("uri") == uri:
                    out.append(ev[2])
        return out

    def close(self):
        # Shut the socket down first: that ends the reader thread's blocking read at once.
        try:
            self.conn.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.conn.close()


def open_stream(port, method, path, body=None, headers=None):
    """An SSE request through nginx (port None) or to one replica; (status, EventStream or None)."""
    if port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        h = {"Host": HOST, "X-Forwarded-Proto": "https"}
    else:
        conn = http.client.HTTPSConnection("127.0.0.1", NGINX_PORT, context=TLS, timeout=30)
        h = {"Host": HOST}
    h.update(headers or {})
    conn.request(method, path, body=body, headers=h)
    resp = conn.getresponse()
    if resp.status != 200:
        conn.close()
        return resp.status, None
    return 200, EventStream(conn, resp)


class LegacySession:
    """A legacy HTTP+SSE session through nginx (port None) or on one replica."""

    def __init__(self, port=None):
        self.port = port
        st, self.stream = open_stream(port, "GET", "/mcp/sse", headers={"Accept": "text/event-stream"})
        if st != 200:
            raise RuntimeError(f"GET /mcp/sse -> {st}")
        self.events = self.stream.events
        self.ended = self.stream.ended
        ev = self.events.get(timeout=5)
        if ev[0] != "endpoint":
            raise RuntimeError(f"first event {ev}")
        self.endpoint = ev[1]
        self.id = re.search(r"sessionId=([A-Za-z0-9_-]+)", self.endpoint).group(1)
        self.next = 1

    def post(self, body):
        h = {"Content-Type": "application/json"}
        return direct(self.port, "POST", self.endpoint, body, h) if self.port else via_nginx("POST", self.endpoint,
                                                                                            body, h)

    def call(self, method, params=None):
        i = self.next
        self.next += 1
        st, _, b = self.post(rpc(i, method, params or {}))
        if st != 202:
            return st, None
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                ev = self.events.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if ev[0] == "message" and json.loads(ev[1]).get("id") == i:
                return st, json.loads(ev[1])
            if ev[0] in ("end", "closed"):
                self.events.put(ev)
                return st, None
        return st, None

    def wait_end(self, timeout):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                ev = self.events.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                break
            if ev[0] in ("end", "closed"):
                return ev[:2]
        return None

    def close(self):
        self.stream.close()


def modern_headers(method, name=None):
    h = dict(STREAMABLE, **{"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method})
    if name:
        h["Mcp-Name"] = name
    return h


def modern(port, method, params, name=None, timeout=10):
    """A 2026-07-28 stateless request to one replica (port) or through nginx (port None)."""
    h = modern_headers(method, name)
    body = rpc(7, method, dict(params, _meta=META))
    st, hh, b = (direct(port, "POST", "/mcp", body, h, timeout) if port
                 else via_nginx("POST", "/mcp", body, h, timeout))
    return st, answer_of(hh, b) if st == 200 else b


def tool(port, name, arguments):
    st, a = modern(port, "tools/call", {"name": name, "arguments": arguments}, name)
    if st != 200 or not isinstance(a, dict) or "result" not in a:
        return None
    r = a["result"]
    if r.get("isError"):
        return None
    return r.get("structuredContent") or json.loads(r["content"][0]["text"])


class Cluster:
    """PostgreSQL, `count` replicas on it and nginx in front of them, in `work`; close() ends them all."""

    def __init__(self):
        self.work = tempfile.mkdtemp(prefix="koan-cluster-")
        self.pg, self.replicas, self.procs = None, [], []

    @staticmethod
    def tools():
        """(PostgreSQL bin directory, nginx), or None after printing why the scenario is skipped."""
        bindir, nginx = pg_bindir(), shutil.which("nginx") or (os.path.exists("/usr/sbin/nginx") and "/usr/sbin/nginx")
        if not bindir or not nginx:
            print("SKIP: needs PostgreSQL (initdb, pg_ctl) and nginx: apt-get install postgresql nginx-light")
            return None
        return bindir, nginx

    def start_postgres(self, bindir):
        self.pg = Postgres(bindir)
        self.pg.start()
        log(f"PostgreSQL on port {self.pg.port}")

    def add_replica(self, name, **start):
        r = Replica(self.work, name, self.pg.url())
        self.replicas.append(r)
        r.start(**start)
        return r

    def start_replicas(self, count, **start):
        started = [self.add_replica(f"replica{n}", **start) for n in range(1, count + 1)]
        for r in started:
            r.wait_ready()
        ids = [r.id for r in started]
        check(all(ids) and len(set(ids)) == count, f"{count} distinct replica ids: {ids}")
        log(f"replicas {[(r.name, r.port, r.id) for r in started]}")
        return started

    def start_nginx(self, nginx, replicas):
        """nginx with the shipped config: test ports, self-signed certificate, these replicas."""
        global NGINX_PORT
        work = self.work
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", work + "/tls.key",
                        "-out", work + "/tls.crt", "-days", "2", "-subj", "/CN=" + HOST], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        NGINX_PORT, plain = free_port(), free_port()
        conf = open(os.path.join(SRC, "deploy/nginx/koan-mcp.conf")).read()
        upstreams = "".join(f"    server 127.0.0.1:{r.port} max_fails=1 fail_timeout=5s;\n" for r in replicas)
        conf, n = re.subn(r"    server 127\.0\.0\.1:5114[^\n]*\n", upstreams, conf)
        check(n == 1, "the shipped nginx config has the upstream line the test replaces")
        conf = conf.replace("/etc/ssl/koan/", work + "/").replace("listen 80;", f"listen 127.0.0.1:{plain};")
        conf = conf.replace("listen 443 ssl;", f"listen 127.0.0.1:{NGINX_PORT} ssl;")
        check("hash " not in conf and "proxy_next_upstream error http_404 non_idempotent" in conf,
              "the shipped nginx config balances without affinity and passes 404s on")
        os.makedirs(work + "/nginx/logs")
        open(work + "/koan-mcp.conf", "w").write(conf)
        open(work + "/nginx.conf", "w").write(f"""worker_processes 1;
error_log {work}/nginx/logs/error.log;
pid {work}/nginx/nginx.pid;
events {{ worker_connections 512; }}
http {{
  log_format attempts '$request_method $uri $status upstreams=$upstream_addr statuses=$upstream_status';
  access_log {work}/nginx/logs/access.log attempts;
  client_body_temp_path {work}/nginx/body; proxy_temp_path {work}/nginx/proxy;
  fastcgi_temp_path {work}/nginx/fcgi; uwsgi_temp_path {work}/nginx/uwsgi; scgi_temp_path {work}/nginx/scgi;
  include {work}/koan-mcp.conf;
}}
""")
        subprocess.run([nginx, "-t", "-q", "-p", work + "/nginx", "-c", work + "/nginx.conf"], check=True)
        self.procs.append(subprocess.Popen([nginx, "-p", work + "/nginx", "-c", work + "/nginx.conf", "-g",
                                            "daemon off;"]))
        wait_for(lambda: via_nginx_ok("/healthz"), 10, 0.1)
        log(f"nginx on port {NGINX_PORT}")

    def access_log(self):
        return open(self.work + "/nginx/logs/access.log").read()

    def close(self):
        for p in self.procs:
            p.terminate()
        for r in self.replicas:
            r.stop()
        if failures:
            for r in self.replicas:
                print(f"--- {r.name} log (tail) ---\n{r.log()[-3000:]}")
        if self.pg:
            self.pg.cleanup()
        shutil.rmtree(self.work, ignore_errors=True)
        log(f"{'FAILED: ' + str(len(failures)) if failures else 'cluster OK'}")
        return 1 if failures else 0
