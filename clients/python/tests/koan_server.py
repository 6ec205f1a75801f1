"""Starts the real koan-mcp headless on a free loopback port, isolated from the user's HOME and settings."""
from __future__ import annotations

import os
import pathlib
import subprocess
import urllib.error
import urllib.request

from child_server import ChildServer, free_port  # noqa: F401 (the tests take free_port from here)

ROOT = pathlib.Path(__file__).resolve().parents[1]  # clients/python


def binary() -> str:
    path = os.environ.get("KOAN_MCP_BINARY") or str(ROOT.parents[1] / "build/app/koan-mcp")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"koan-mcp not found at {path}; build it or set KOAN_MCP_BINARY")
    return path


class KoanServer(ChildServer):
    """One koan-mcp process; stop() and start() again keep the port and the database (a restart)."""

    def __init__(self, *args: str, port: int | None = None, start: bool = True):
        super().__init__("koan-mcp", "koan-py-client-", "server.log", "/healthz", port)
        self.key = f"{self.dir}/dev-issuer.pem"
        # HOME/XDG point into the temp dir so no user appsettings or dev key leaks in; cwd has no appsettings.json.
        self.env = {**os.environ, "HOME": self.dir, "XDG_CONFIG_HOME": f"{self.dir}/config",
                    "XDG_DATA_HOME": f"{self.dir}/data", "KOAN_ENVIRONMENT": "Development", "QT_QPA_PLATFORM": "offscreen"}
        self.env = {k: v for k, v in self.env.items() if not k.startswith("KOAN_MCP__")}
        self.args = ["--headless", "--port", str(self.port), "--db", f"{self.dir}/koan.sqlite",
                     "--set", f"Auth:DevIssuerKeyFile={self.key}", *args]
        if start:
            self.start()

    def start(self, timeout: float = 15) -> None:
        self.launch([binary(), *self.args], timeout, env=self.env, cwd=self.dir)

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
