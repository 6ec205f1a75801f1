"""The example CLI as a subprocess (`list`, `call TOOL key=value`), from the source tree and after an offline
`pip install clients/python` into a fresh venv (--no-index: nothing may come from an index)."""
from __future__ import annotations

import json
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from koan_server import ROOT, KoanServer, binary  # noqa: E402


def has_venv_with_pip() -> bool:
    try:
        import ensurepip  # noqa: F401  (Debian: python3-venv)
        import venv  # noqa: F401
        return True
    except ImportError:
        return False


class CliTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KoanServer()
        cls.auth = KoanServer("--set", "RequireAuthentication=true")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()
        cls.auth.close()

    def cli(self, *args: str, env: dict | None = None, command: list[str] | None = None) -> subprocess.CompletedProcess:
        command = command or [sys.executable, "-m", "koan_mcp_client"]
        inherited = {k: v for k, v in os.environ.items() if k not in ("KOAN_TOKEN", "KOAN_MCP_URL")}
        environment = {**inherited, "PYTHONPATH": str(ROOT), **(env or {})}
        return subprocess.run([*command, *args], capture_output=True, text=True, env=environment, timeout=60)

    def test_list_and_call_over_both_transports(self):
        for path, era in (("/mcp", "auto"), ("/mcp", "legacy"), ("/mcp/sse", "auto")):  # 2026-07-28, 2025, legacy SSE
            with self.subTest(path=path, era=era):
                listed = self.cli("--url", self.server.base + path, "--era", era, "list")
                self.assertEqual(listed.returncode, 0, listed.stderr)
                names = [line.split()[0] for line in listed.stdout.splitlines()]
                self.assertEqual(len(names), 51)  # 5 entities x 10 tools + audit.export
                self.assertIn("participant-visit.patch", names)
                called = self.cli("--url", self.server.base + path, "--era", era, "call", "trial-site.collection",
                                  "pageSize=2", "sort=name:desc", 'filter={"regulatoryStatus":"Approved"}')
                self.assertEqual(called.returncode, 0, called.stderr)
                page = json.loads(called.stdout)
                self.assertEqual(page["pageSize"], 2)
                self.assertTrue(page["items"])
                self.assertTrue(all(item["regulatoryStatus"] == "Approved" for item in page["items"]))
                names = [item["name"] for item in page["items"]]
                self.assertEqual(names, sorted(names, reverse=True))

    def test_exit_codes(self):
        url = self.server.base + "/mcp"
        missing = self.cli("--url", url, "call", "trial-site.get-by-id", "id=nowhere")
        self.assertEqual(missing.returncode, 1)  # the tool answered isError
        self.assertIn("not_found", missing.stdout)
        unknown = self.cli("--url", url, "call", "no.such-tool")
        self.assertEqual(unknown.returncode, 3)
        self.assertIn("-32602", unknown.stderr)
        usage = self.cli("--url", url, "call", "trial-site.get-by-id", "not-a-pair")
        self.assertEqual(usage.returncode, 2)
        self.assertIn("key=value", usage.stderr)
        down = self.cli("--url", f"http://127.0.0.1:{self.server.port}/nope/sse", "list")
        self.assertEqual(down.returncode, 3)
        self.assertIn("HTTP 404", down.stderr)

    def test_bearer_tokens(self):
        url = self.auth.base + "/mcp"
        denied = self.cli("--url", url, "list")
        self.assertEqual(denied.returncode, 4)
        self.assertIn("401", denied.stderr)
        token = self.auth.token("cli", "clinical:documents")
        listed = self.cli("--url", url, "list", env={"KOAN_TOKEN": token})
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertEqual({line.split(".")[0] for line in listed.stdout.splitlines()}, {"protocol-document"})
        # --token-command runs `koan-mcp token …` whenever a token is needed (a provider, asked again after 401).
        command = shlex.join([binary(), "token", "--sub", "cli", "--scope", "clinical:operations",
                              "--set", f"Port={self.auth.port}", "--set", f"Auth:DevIssuerKeyFile={self.auth.key}"])
        called = self.cli("--url", self.auth.base + "/mcp/sse", "--token-command", command,
                          "call", "trial-site.get-by-id", "id=site-boston", env={"HOME": self.auth.dir})
        self.assertEqual(called.returncode, 0, called.stderr)
        self.assertEqual(json.loads(called.stdout)["item"]["id"], "site-boston")

    @unittest.skipUnless(has_venv_with_pip() or os.environ.get("KOAN_REQUIRE_VENV"), "needs python3-venv")
    def test_offline_pip_install_and_installed_cli(self):
        with tempfile.TemporaryDirectory(prefix="koan-py-venv-") as venv:
            subprocess.run([sys.executable, "-m", "venv", venv], check=True, capture_output=True)
            env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
            env.pop("PYTHONPATH", None)
            install = subprocess.run([f"{venv}/bin/python", "-m", "pip", "install", "--no-index", str(ROOT)],
                                     capture_output=True, text=True, env=env, timeout=120)
            self.assertEqual(install.returncode, 0, install.stdout + install.stderr)
            self.assertIn("Successfully installed koan-mcp-client-0.1.0", install.stdout)
            # Run from elsewhere, without PYTHONPATH: the installed package and console script answer.
            called = subprocess.run([f"{venv}/bin/koan-mcp-client", "--url", self.server.base + "/mcp/sse", "call",
                                     "trial-site.get-by-id", "id=site-lyon"], capture_output=True, text=True,
                                    env=env, cwd=venv, timeout=60)
            self.assertEqual(called.returncode, 0, called.stderr)
            self.assertEqual(json.loads(called.stdout)["item"]["location"], "Lyon, France")
            where = subprocess.run([f"{venv}/bin/python", "-c", "import koan_mcp_client as k; print(k.__file__, k.__version__)"],
                                   capture_output=True, text=True, env=env, cwd=venv, check=True).stdout
            self.assertIn(f"{venv}/lib/", where)
            self.assertIn("0.1.0", where)


if __name__ == "__main__":
    unittest.main()
