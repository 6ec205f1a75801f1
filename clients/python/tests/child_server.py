"""A server child process of the client tests on a loopback port (koan-mcp, or a peer on the official SDKs): its
output goes to a log file in a temp dir of its own, launch() returns once its health path answers, stop() ends it
(SIGTERM, SIGKILL after 10 s) and close() also removes the dir.
"""
from __future__ import annotations

import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChildServer:
    def __init__(self, name: str, prefix: str, log_name: str, health: str, port: int | None = None,
                 log_tail: int = 4000):
        self.name = name  # in errors
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.health = health
        self.proc: subprocess.Popen | None = None
        self._log_path = pathlib.Path(self.dir) / log_name
        self._log_tail = log_tail
        self.log = open(self._log_path, "ab")

    def launch(self, argv: list[str], timeout: float = 15, **popen) -> None:
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=self.log, **popen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                urllib.request.urlopen(self.base + self.health, timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not become healthy on port {self.port}:\n{self.log_text()}")

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
        return self._log_path.read_text(errors="replace")[-self._log_tail:]
