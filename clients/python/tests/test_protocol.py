"""Sync and asyncio clients in the 2025 era (era="legacy": initialize and a session) over both HTTP transports
against a real koan-mcp: handshake, tools, ping, notifications the server emits (progress, logging),
server-to-client requests, JSON-RPC errors, timeouts. The 2026-07-28 era is in test_modern.py."""
from __future__ import annotations

import asyncio
import builtins
import sys
import pathlib
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from koan_mcp_client import AsyncKoanMcpClient, KoanMcpClient, ProtocolError, RpcError, TimeoutError, ToolError  # noqa: E402
from koan_server import KoanServer  # noqa: E402

TRANSPORTS = (("/mcp", "streamable"), ("/mcp/sse", "sse"))
LEGACY = {"era": "legacy"}  # /mcp speaks 2026-07-28 by default; these tests are about the 2025 session


class ProtocolTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The conformance fixture pack adds tools that emit progress and log notifications, a slow tool and one
        # that asks the client for sampling: the S12 tools never notify.
        cls.server = KoanServer("--fixtures", "conformance")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_sync_client(self):
        for path, kind in TRANSPORTS:
            with self.subTest(kind), KoanMcpClient(self.server.base + path, **LEGACY) as client:
                self.assertEqual(client.transport_kind, kind)
                self.assertEqual(client.server_info["name"], "koan-mcp")
                self.assertEqual(client.protocol_version, "2025-11-25")
                self.assertIn("tools", client.server_capabilities)
                self.assertTrue(client.session_id)
                names = [t["name"] for t in client.list_tools()]
                self.assertEqual(len([n for n in names if "." in n]), 51)  # entity tools (fixtures have no dot)
                self.assertIn("adverse-event-report.upsert-many", names)
                site = client.call_tool("trial-site.get-by-id", {"id": "site-boston"})
                self.assertFalse(site.get("isError"))
                self.assertEqual(site["structuredContent"]["item"]["name"], "Boston General Research Center")
                missing = client.call_tool("trial-site.get-by-id", {"id": "no-such-site"})
                self.assertTrue(missing["isError"])  # a domain failure is a result, not an exception…
                with self.assertRaises(ToolError) as err:  # …unless asked for
                    client.call_tool("trial-site.get-by-id", {"id": "no-such-site"}, throw_on_tool_error=True)
                self.assertIn("not_found", str(err.exception))
                self.assertTrue(err.exception.result["isError"])
                client.ping()
                with self.assertRaises(RpcError) as err:
                    client.call_tool("no.such-tool")
                self.assertEqual(err.exception.code, -32602)
                with self.assertRaises(RpcError) as err:
                    client.request("no/such-method")
                self.assertEqual(err.exception.code, -32601)

    def test_async_client_concurrent_calls(self):
        async def scenario(url):
            async with AsyncKoanMcpClient(url, **LEGACY) as client:
                tools = await client.list_tools()
                ids = ["site-boston", "site-lyon", "site-osaka"] * 4
                results = await asyncio.gather(*(client.call_tool("trial-site.get-by-id", {"id": i}) for i in ids),
                                               client.ping())
                got = [r["structuredContent"]["item"]["id"] for r in results[:-1]]
                created = await client.call_tool("monitoring-note.upsert", {"model": {
                    "trialSiteId": "site-lyon", "enteredBy": "py-async", "summary": "written by the asyncio client"}})
                return len(tools), got, ids, created
        for path, kind in TRANSPORTS:
            with self.subTest(kind):
                count, got, ids, created = asyncio.run(scenario(self.server.base + path))
                self.assertGreaterEqual(count, 45)
                self.assertEqual(got, ids)  # answers matched to their requests, whatever order they came in
                self.assertFalse(created.get("isError"), created)
                self.assertTrue(created["structuredContent"]["created"])

    def test_progress_and_log_notifications(self):
        async def scenario(url):
            seen, progress = [], []
            async with AsyncKoanMcpClient(url, on_notification=seen.append, **LEGACY) as client:
                await client.set_logging_level("info")
                logged = await client.call_tool("test_tool_with_logging")
                await client.call_tool("test_tool_with_progress", on_progress=progress.append)
                await client.set_logging_level("error")  # info messages are filtered out from now on
                before = len(seen)
                await client.call_tool("test_tool_with_logging")
                return logged, seen, progress, before
        for path, kind in TRANSPORTS:
            with self.subTest(kind):
                logged, seen, progress, before = asyncio.run(scenario(self.server.base + path))
                self.assertFalse(logged.get("isError"))
                messages = [n["params"]["data"] for n in seen if n["method"] == "notifications/message"]
                self.assertEqual(messages, ["Tool execution started", "Tool processing data", "Tool execution completed"])
                self.assertEqual([p["progress"] for p in progress], [0, 50, 100])
                self.assertEqual({p["total"] for p in progress}, {100})
                self.assertEqual(len(seen) - before, 0)

    def test_sync_client_progress(self):
        for path, kind in TRANSPORTS:
            with self.subTest(kind), KoanMcpClient(self.server.base + path, **LEGACY) as client:
                progress = []
                result = client.call_tool("test_tool_with_progress", on_progress=progress.append)
                self.assertEqual([p["message"] for p in progress], ["step 0", "step 50", "step 100"])
                self.assertIn(progress[0]["progressToken"], result["content"][0]["text"])

    def test_server_requests_are_answered(self):
        # Declaring sampling makes the server ask us (sampling/createMessage); this client implements no
        # sampling, so it must answer -32601 rather than leave the server waiting.
        for path, kind in TRANSPORTS:
            with self.subTest(kind), KoanMcpClient(self.server.base + path, **LEGACY, capabilities={"sampling": {}}) as client:
                result = client.call_tool("test_sampling", {"prompt": "hi"}, timeout=10)
                self.assertTrue(result["isError"])
                self.assertIn("The client refused: Method not found", result["content"][0]["text"])

    def test_request_handlers(self):
        # A handler answers the server's sampling request; the tool reports what it got back.
        def sample(params):
            prompt = params["messages"][0]["content"]["text"]
            return {"role": "assistant", "content": {"type": "text", "text": f"echo {prompt}"}, "model": "py-test"}
        for path, kind in TRANSPORTS:
            with self.subTest(kind), KoanMcpClient(self.server.base + path, **LEGACY, capabilities={"sampling": {}},
                                                   request_handlers={"sampling/createMessage": sample}) as client:
                result = client.call_tool("test_sampling", {"prompt": "hello"}, timeout=10)
                self.assertFalse(result.get("isError"), result)
                self.assertEqual(result["content"][0]["text"], "LLM response: echo hello")

    def test_timeout_cancels_and_client_stays_usable(self):
        for path, kind in TRANSPORTS:
            with self.subTest(kind), KoanMcpClient(self.server.base + path, **LEGACY) as client:
                with self.assertRaises(TimeoutError) as err:
                    client.call_tool("test_reconnection", timeout=0.02)  # answers after 100 ms
                self.assertIsInstance(err.exception, builtins.TimeoutError)
                client.ping()
                self.assertIn("completed", client.call_tool("test_reconnection")["content"][0]["text"])

    def test_not_an_mcp_endpoint_is_a_protocol_error(self):
        # /healthz answers 200 JSON, not an SSE stream: connect must not hang or retry.
        client = KoanMcpClient(self.server.base + "/healthz", transport="sse")
        with self.assertRaises(ProtocolError):
            client.connect()
        client.close()

    def test_older_protocol_versions(self):
        for path, version in (("/mcp/sse", "2024-11-05"), ("/mcp", "2025-03-26"), ("/mcp", "2025-06-18")):
            with self.subTest(version), KoanMcpClient(self.server.base + path, **LEGACY, protocol_version=version) as client:
                self.assertEqual(client.protocol_version, version)
                client.ping()
                self.assertEqual(client.call_tool("trial-site.collection", {"pageSize": 1})["structuredContent"]["pageSize"], 1)


if __name__ == "__main__":
    unittest.main()
