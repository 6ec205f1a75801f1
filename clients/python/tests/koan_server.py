"""Starts the real koan-mcp headless on a free loopback port, isolated from the user's HOME and settings."""
from __future__ import annotations

import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]  # clients/python


def binary() -> str:
    path = os.environ.get("KOAN_MCP_BINARY") or str(ROOT.parents[1] / "build/app/koan-mcp")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"koan-mcp not found at {path}; build it or set KOAN_MCP_BINARY")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class KoanServer:
    """One koan-mcp process; stop() and start() again keep the port and the database (a restart)."""

    def __init__(self, *args: str, port: int | None = None, start: bool = True):
        self.dir = tempfile.mkdtemp(prefix="koan-py-client-")
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.key = f"{self.dir}/dev-issuer.pem"
        # HOME/XDG point into the temp dir so no user appsettings or dev key leaks in; cwd has no appsettings.json.
        self.env = {**os.environ, "HOME": self.dir, "XDG_CONFIG_HOME": f"{self.dir}/config",
                    "XDG_DATA_HOME": f"{self.dir}/data", "KOAN_ENVIRONMENT": "Development", "QT_QPA_PLATFORM": "offscreen"}
        self.env = {k: v for k, v in self.env.items() if not k.startswith("KOAN_MCP__")}
        self.args = ["--headless", "--port", str(self.port), "--db", f"{self.dir}/koan.sqlite",
                     "--set", f"Auth:DevIssuerKeyFile={self.key}", *args]
        self.proc: subprocess.Popen | None = None
        self.log = open(f"{self.dir}/server.log", "ab")
        if start:
            self.start()

    def start(self, timeout: float = 15) -> None:
        self.proc = subprocess.Popen([binary(), *self.args], env=self.env, cwd=self.dir, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"koan-mcp exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"koan-mcp did not become healthy on port {self.port}:\n{self.log_text()}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self) -> None:
        self.stop()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self) -> str:
        self.log.flush()
        return pathlib.Path(f"{self.dir}/server.log").read_text(errors="replace")[-4000:]

    def token(self, sub: str = "alice", scope: str = "clinical:operations", ttl: str = "10m") -> str:
        """A dev token from `koan-mcp token` with this server's key and audience."""
        return subprocess.run([binary(), "token", "--sub", sub, "--scope", scope, "--ttl", ttl,
                               "--set", f"Port={self.port}", "--set", f"Auth:DevIssuerKeyFile={self.key}"],
                              env=self.env, cwd=self.dir, check=True, capture_output=True, text=True).stdout.strip()

    def set_legacy_transport(self, enabled: bool) -> None:
        """The rollback switch (loopback callers may use it while authentication is off)."""
        req = urllib.request.Request(self.base + "/admin/transports/http-sse", method="PUT",
                                     data=b'{"enabled":%s}' % (b"true" if enabled else b"false"),
                                     headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req, timeout=5).close()
