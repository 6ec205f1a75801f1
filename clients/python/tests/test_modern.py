"""The 2026-07-28 era against a real koan-mcp, and the fallbacks against older servers.

Modern: server/discover, stateless calls with their _meta and mirrored headers (seen on the wire through a TCP
proxy), resources and prompts, an MRTR round through `{entity}.delete-all`'s confirmation (and the same callback
answering 2025 elicitation/create requests), listen subscriptions receiving updates after another client's write,
logging by _meta, cancellation by closing the stream. The same against the official TypeScript SDK v2 server
(2026-07-28 only), whose shutdown also ends a subscription gracefully. Fallback: the official TypeScript SDK v1
server (2025-11-25 only) on Streamable HTTP and on legacy HTTP+SSE, koan-mcp with its Streamable transport off,
and koan-mcp behind a relay whose server/discover answers -32601 or -32022 (the two refusals an older server gives).
"""
from __future__ import annotations

import asyncio
import builtins
import json
import pathlib
import sys
import time
import unittest
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from koan_mcp_client import (AsyncKoanMcpClient, ConnectionClosedError, InputRequiredError, KoanMcpClient,  # noqa: E402
                             ProtocolError, RpcError, TimeoutError)
from discover_refusing_proxy import DiscoverRefusingProxy  # noqa: E402
from dropping_proxy import DroppingProxy  # noqa: E402
from koan_server import KoanServer  # noqa: E402
from sdk_peer import SdkV1Peer, SdkV2Server  # noqa: E402

CONFIRM = {"action": "accept", "content": {"confirm": True}}


def bodies(proxy: DroppingProxy) -> list[tuple[dict[str, str], dict]]:
    """(headers, JSON body) of every POST the proxy saw."""
    seen = []
    for raw in proxy.wire:
        head, _, body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        if not lines[0].startswith("POST"):
            continue
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        seen.append((headers, json.loads(body)))
    return seen


def snapshot(server: KoanServer) -> dict:
    with urllib.request.urlopen(server.base + "/admin/snapshot", timeout=5) as r:
        return json.load(r)


def listen_rows(server: KoanServer) -> list[dict]:
    return [s for s in snapshot(server).get("sessions", []) if s.get("kind") == "listen"]


def count(client: KoanMcpClient, entity: str) -> int:
    page = client.call_tool(f"{entity}.collection", {"pageSize": 100})["structuredContent"]
    return len(page["items"])


class ModernEraTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = KoanServer("--fixtures", "conformance")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_discover_and_stateless_calls_with_meta_and_headers(self):
        proxy = DroppingProxy(self.server.port)
        try:
            with KoanMcpClient(f"http://127.0.0.1:{proxy.port}/mcp", client_info={"name": "py-modern", "version": "9"}) as client:
                self.assertEqual((client.era, client.protocol_version, client.transport_kind), ("modern", "2026-07-28", "streamable"))
                self.assertIsNone(client.session_id)
                self.assertEqual(client.server_info["name"], "koan-mcp")
                self.assertIn("2026-07-28", client.discover_result["supportedVersions"])
                self.assertIn("tools", client.server_capabilities)
                names = [t["name"] for t in client.list_tools()]
                self.assertEqual(len([n for n in names if "." in n]), 51)
                site = client.call_tool("trial-site.get-by-id", {"id": "site-boston"})
                self.assertEqual(site["structuredContent"]["item"]["name"], "Boston General Research Center")
                self.assertEqual(site["resultType"], "complete")
                read = client.read_resource("s12://trial-site/site-osaka")
                record = json.loads(read["contents"][0]["text"])
                self.assertEqual((record["id"], read["_meta"]["version"]), ("site-osaka", record["version"]))
                prompt = client.get_prompt("site-monitoring-summary", {"siteId": "site-lyon"})
                embedded = [m["content"]["resource"]["uri"] for m in prompt["messages"] if m["content"]["type"] == "resource"]
                self.assertIn("s12://trial-site/site-lyon", embedded)
                with self.assertRaises(RpcError) as err:
                    client.read_resource("s12://trial-site/no-such-site")
                self.assertEqual((err.exception.code, err.exception.data["uri"]), (-32602, "s12://trial-site/no-such-site"))
                with self.assertRaises(RpcError) as err:
                    client.call_tool("no.such-tool")
                self.assertEqual(err.exception.code, -32602)
                with self.assertRaises(RpcError) as err:  # 404 with a JSON-RPC body: an error, not a fallback
                    client.request("no/such-method")
                self.assertEqual(err.exception.code, -32601)
                with self.assertRaises(RpcError) as err:  # 2025-only methods are gone in this era
                    client.request("logging/setLevel", {"level": "info"})
                self.assertEqual(err.exception.code, -32601)
                client.ping()  # server/discover: 2026-07-28 has no ping
            sent = bodies(proxy)
            methods = [b["method"] for _, b in sent]
            self.assertEqual(methods[0], "server/discover")
            self.assertNotIn("initialize", methods)
            for headers, body in sent:
                meta = body["params"]["_meta"]
                self.assertEqual(meta["io.modelcontextprotocol/protocolVersion"], "2026-07-28")
                self.assertEqual(meta["io.modelcontextprotocol/clientInfo"], {"name": "py-modern", "version": "9"})
                self.assertEqual(meta["io.modelcontextprotocol/clientCapabilities"], {})
                self.assertEqual((headers["mcp-protocol-version"], headers["mcp-method"]), ("2026-07-28", body["method"]))
                self.assertNotIn("mcp-session-id", headers)
                if body["method"] in ("tools/call", "prompts/get"):
                    self.assertEqual(headers["mcp-name"], body["params"]["name"])
                elif body["method"] == "resources/read":
                    self.assertEqual(headers["mcp-name"], body["params"]["uri"])
                else:
                    self.assertNotIn("mcp-name", headers)
            self.assertEqual(len({b["id"] for _, b in sent}), len(sent))
        finally:
            proxy.close()

    def test_async_client_concurrent_stateless_calls(self):
        async def scenario():
            async with AsyncKoanMcpClient(self.server.base + "/mcp") as client:
                ids = ["site-boston", "site-lyon", "site-osaka"] * 4
                results = await asyncio.gather(*(client.call_tool("trial-site.get-by-id", {"id": i}) for i in ids))
                return client.era, ids, [r["structuredContent"]["item"]["id"] for r in results]
        era, ids, got = asyncio.run(scenario())
        self.assertEqual((era, got), ("modern", ids))

    def test_logging_by_meta_progress_and_cancellation(self):
        seen, progress = [], []
        with KoanMcpClient(self.server.base + "/mcp", on_notification=seen.append) as client:
            client.call_tool("test_tool_with_logging")
            self.assertEqual([n for n in seen if n["method"] == "notifications/message"], [])  # no logLevel, no log
            client.set_logging_level("info")  # from now on _meta logLevel on every request
            client.call_tool("test_tool_with_logging")
            messages = [n["params"]["data"] for n in seen if n["method"] == "notifications/message"]
            self.assertEqual(messages, ["Tool execution started", "Tool processing data", "Tool execution completed"])
            client.call_tool("test_tool_with_progress", on_progress=progress.append)
            self.assertEqual([p["progress"] for p in progress], [0, 50, 100])
            with self.assertRaises(TimeoutError) as err:
                client.call_tool("test_reconnection", timeout=0.02)  # answers after 100 ms; its stream is closed
            self.assertIsInstance(err.exception, builtins.TimeoutError)
            self.assertIn("completed", client.call_tool("test_reconnection")["content"][0]["text"])

    def test_era_pinned(self):
        with KoanMcpClient(self.server.base + "/mcp", era="legacy") as client:
            self.assertEqual((client.era, client.protocol_version), ("legacy", "2025-11-25"))
            self.assertTrue(client.session_id)
        with KoanMcpClient(self.server.base + "/mcp", era="modern") as client:
            self.assertEqual(client.era, "modern")
        with self.assertRaises(ValueError):
            KoanMcpClient(self.server.base + "/mcp/sse", era="modern")
        with self.assertRaises(ProtocolError):
            with KoanMcpClient(self.server.base + "/mcp/sse", era="legacy") as client:
                client.listen(tools_list_changed=True)  # a 2026-07-28 request


class InputRequiredTests(unittest.TestCase):
    """{entity}.delete-all confirms through elicitation: an input_required round in 2026-07-28, an
    elicitation/create request in 2025 — the same input_handler answers both."""

    def setUp(self):
        self.server = KoanServer()

    def tearDown(self):
        self.server.close()

    def test_delete_all_confirmed_through_an_mrtr_round(self):
        asked = []

        def answer(method, params):
            asked.append((method, params))
            return CONFIRM
        proxy = DroppingProxy(self.server.port)
        try:
            with KoanMcpClient(f"http://127.0.0.1:{proxy.port}/mcp", capabilities={"elicitation": {}},
                               input_handler=answer) as client:
                self.assertGreater(count(client, "monitoring-note"), 0)
                result = client.call_tool("monitoring-note.delete-all")
                self.assertFalse(result.get("isError"), result)
                self.assertEqual(result["resultType"], "complete")
                self.assertEqual(count(client, "monitoring-note"), 0)
                self.assertEqual(client.input_rounds, 1)
        finally:
            proxy.close()
        self.assertEqual([m for m, _ in asked], ["elicitation/create"])
        self.assertIn("MonitoringNote", asked[0][1]["message"])
        self.assertIn("confirm", asked[0][1]["requestedSchema"]["properties"])
        calls = [b for _, b in bodies(proxy) if b["method"] == "tools/call" and b["params"]["name"] == "monitoring-note.delete-all"]
        self.assertEqual(len(calls), 2)
        first, retry = calls
        self.assertNotIn("inputResponses", first["params"])
        self.assertNotEqual(first["id"], retry["id"])
        self.assertEqual(retry["params"]["inputResponses"], {"confirm": CONFIRM})
        self.assertTrue(retry["params"]["requestState"])
        self.assertEqual(retry["params"]["arguments"], first["params"]["arguments"])

    def test_declined_or_unanswerable_confirmation_deletes_nothing(self):
        with KoanMcpClient(self.server.base + "/mcp", capabilities={"elicitation": {}},
                           input_handler=lambda method, params: {"action": "decline"}) as client:
            before = count(client, "trial-site")
            result = client.call_tool("trial-site.delete-all")
            self.assertTrue(result["isError"])
            self.assertIn("not_confirmed", result["content"][0]["text"])
            self.assertEqual(count(client, "trial-site"), before)
        with KoanMcpClient(self.server.base + "/mcp", capabilities={"elicitation": {}}) as client:
            with self.assertRaises(InputRequiredError) as err:  # asked, but nobody here can answer
                client.call_tool("trial-site.delete-all")
            self.assertEqual(err.exception.result["resultType"], "input_required")
            self.assertEqual(count(client, "trial-site"), before)
        with KoanMcpClient(self.server.base + "/mcp") as client:  # no elicitation declared: never asked
            result = client.call_tool("trial-site.delete-all")
            self.assertIn("confirmation_required", result["content"][0]["text"])
            self.assertEqual(count(client, "trial-site"), before)

    def test_same_handler_answers_2025_elicitation_requests(self):
        for path, era, entity in (("/mcp", "legacy", "participant-visit"), ("/mcp/sse", "auto", "protocol-document")):
            asked = []

            async def answer(method, params):  # an async handler works as well
                asked.append(method)
                return CONFIRM
            with self.subTest(path), KoanMcpClient(self.server.base + path, era=era, capabilities={"elicitation": {}},
                                                   input_handler=answer) as client:
                self.assertEqual(client.era, "legacy")
                self.assertGreater(count(client, entity), 0)
                result = client.call_tool(f"{entity}.delete-all", timeout=10)
                self.assertFalse(result.get("isError"), result)
                self.assertEqual(count(client, entity), 0)
                self.assertEqual((asked, client.input_rounds), (["elicitation/create"], 0))


class ListenTests(unittest.TestCase):
    def setUp(self):
        self.server = KoanServer()

    def tearDown(self):
        self.server.close()

    def wait_for(self, condition, seconds=5.0):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.05)
        self.fail("condition not reached in time")

    def test_resource_update_after_another_clients_write_then_a_clean_close(self):
        uri = "s12://trial-site/site-osaka"
        seen = []
        with KoanMcpClient(self.server.base + "/mcp", on_notification=seen.append) as listener, \
                KoanMcpClient(self.server.base + "/mcp/sse") as writer:  # another client, another era and transport
            sub = listener.listen(resource_subscriptions=[uri])
            self.assertEqual(sub.honored, {"resourceSubscriptions": [uri]})
            self.wait_for(lambda: len(listen_rows(self.server)) == 1)
            site = writer.call_tool("trial-site.get-by-id", {"id": "site-osaka"})["structuredContent"]["item"]
            patched = writer.call_tool("trial-site.patch", {"id": "site-osaka", "expectedVersion": site["version"], "patch": [
                {"op": "replace", "path": "/currentEnrollment", "value": site["currentEnrollment"] + 1}]})
            self.assertFalse(patched.get("isError"), patched)
            lyon = writer.call_tool("trial-site.get-by-id", {"id": "site-lyon"})["structuredContent"]["item"]
            other = writer.call_tool("trial-site.patch", {"id": "site-lyon", "expectedVersion": lyon["version"], "patch": [
                {"op": "replace", "path": "/currentEnrollment", "value": lyon["currentEnrollment"] + 1}]})  # unsubscribed
            self.assertFalse(other.get("isError"), other)
            update = sub.next(timeout=5)
            self.assertEqual(update["method"], "notifications/resources/updated")
            self.assertEqual(update["params"]["uri"], uri)
            self.assertEqual(update["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], sub.id)
            self.assertIn(update, seen)  # on_notification hears it too
            with self.assertRaises(asyncio.TimeoutError):
                sub.next(timeout=0.5)  # site-lyon's write is not ours to hear
            sub.close()
            self.assertTrue(sub.closed)
            self.wait_for(lambda: listen_rows(self.server) == [])  # the server saw the stream end
            listener.call_tool("trial-site.get-by-id", {"id": "site-osaka"})  # the client goes on

    def test_tools_list_changed_and_the_end_at_shutdown(self):
        with KoanMcpClient(self.server.base + "/mcp") as client:
            sub = client.listen(tools_list_changed=True, resource_subscriptions=["s12://trial-site/site-boston"])
            self.assertEqual(sub.honored.get("toolsListChanged"), True)
            before = len(client.list_tools())
            options = next(e["options"] for e in snapshot(self.server)["entities"] if e["entity"] == "TrialSite")
            req = urllib.request.Request(self.server.base + "/admin/entities/options", method="POST", headers={
                "Content-Type": "application/json"}, data=json.dumps(  # what the console does: mutations off
                {"entity": "TrialSite", "options": {**options, "allowMutations": False}}).encode())
            urllib.request.urlopen(req, timeout=5).close()
            changed = sub.next(timeout=5)
            self.assertEqual(changed["method"], "notifications/tools/list_changed")
            self.assertLess(len(client.list_tools()), before)
            # Shutdown (SIGTERM) ends the stream gracefully: the listen request's final result first.
            self.server.stop()
            with self.assertRaises(ConnectionClosedError):
                sub.next(timeout=5)
            self.assertTrue(sub.closed)
            self.assertTrue(sub.ended_by_server, sub.error)
            self.assertIsNone(sub.error)


class SdkV2ServerTests(unittest.TestCase):
    """The official TypeScript SDK v2 server, modern-only: our 2026-07-28 side against an implementation we did not
    write — discover, calls, a resource, an MRTR round, a listen update and the graceful end at its shutdown."""

    def setUp(self):
        self.peer = SdkV2Server()

    def tearDown(self):
        self.peer.close()

    def test_modern_era_against_the_sdk_v2_server(self):
        asked = []

        def answer(method, params):
            asked.append((method, params["message"]))
            return CONFIRM
        url = self.peer.base + "/mcp"
        with KoanMcpClient(url, capabilities={"elicitation": {}}, input_handler=answer) as client, \
                KoanMcpClient(url) as other:
            self.assertEqual((client.era, client.server_info["name"]), ("modern", "sdk-v2-peer"))
            with self.assertLogs("koan_mcp_client", "WARNING") as warned:
                names = [t["name"] for t in client.list_tools()]
            self.assertIn("echo", names)
            self.assertNotIn("bad-header", names)  # x-mcp-header on a number: the spec says leave it out
            self.assertIn("ignoring tool bad-header", warned.output[0])
            self.assertEqual(client.call_tool("echo", {"text": "hi"})["structuredContent"], {"text": "hi"})
            self.assertEqual(client.read_resource("test://note")["contents"][0]["text"], "a note")
            # x-mcp-header: region goes along as Mcp-Param-Region, which the SDK checks against the body
            # (base64 for a value that is not plain ASCII).
            for region in ("eu", " Zürich "):
                echoed = client.call_tool("regional-echo", {"region": region, "text": "hi"})
                self.assertEqual(echoed["content"][0]["text"], f"{region}: hi", echoed)
            # A client that never listed the tools: the first call gets -32020, the client lists and retries.
            self.assertEqual(other.call_tool("regional-echo", {"region": "us", "text": "yo"})["content"][0]["text"], "us: yo")
            deployed = client.call_tool("confirm-deploy", {"env": "prod"})
            self.assertEqual(deployed["content"][0]["text"], "deployed to prod")
            self.assertEqual((asked, client.input_rounds), ([("elicitation/create", "Deploy to prod?")], 1))
            sub = client.listen(resource_subscriptions=["test://note"])
            self.assertEqual(sub.honored, {"resourceSubscriptions": ["test://note"]})
            other.call_tool("touch", {"uri": "test://note"})
            update = sub.next(timeout=5)
            self.assertEqual((update["method"], update["params"]["uri"]), ("notifications/resources/updated", "test://note"))
            self.peer.stop()  # SIGTERM: the SDK answers the listen request, then closes the stream
            with self.assertRaises(ConnectionClosedError):
                sub.next(timeout=5)
            self.assertTrue(sub.ended_by_server, sub.error)

    def test_legacy_pinned_against_a_modern_only_server_fails_clearly(self):
        client = KoanMcpClient(self.peer.base + "/mcp", era="legacy")
        with self.assertRaises(ProtocolError) as err:
            client.connect()
        client.close()
        self.assertIn("does not speak the legacy era", str(err.exception))
        self.assertIn("2026-07-28", str(err.exception))


class FallbackTests(unittest.TestCase):
    """Servers that do not speak 2026-07-28: the client falls back without being told."""

    @classmethod
    def setUpClass(cls):
        cls.peer = SdkV1Peer()

    @classmethod
    def tearDownClass(cls):
        cls.peer.close()

    def test_sdk_v1_server_on_streamable_http_gets_a_2025_session(self):
        proxy = DroppingProxy(self.peer.port)
        try:
            with KoanMcpClient(f"http://127.0.0.1:{proxy.port}/mcp") as client:
                self.assertEqual((client.era, client.transport_kind, client.protocol_version), ("legacy", "streamable", "2025-11-25"))
                self.assertEqual(client.server_info["name"], "koan-bench-peer")
                self.assertTrue(client.session_id)
                self.assertIn("trial-site.get-by-id", [t["name"] for t in client.list_tools()])
                item = client.call_tool("trial-site.get-by-id", {"id": "site-boston"})["structuredContent"]["item"]
                self.assertEqual(item["name"], "Boston General Research Center")
                client.ping()
            methods = [b.get("method") for _, b in bodies(proxy)]
            self.assertEqual(methods[:2], ["server/discover", "initialize"])  # asked once, then the 2025 way
            self.assertEqual(methods.count("server/discover"), 1)
        finally:
            proxy.close()

    def test_sdk_v1_server_without_streamable_http_gets_legacy_sse(self):
        # The peer's root URL serves nothing: discover and initialize get 404, GET / too; GET /sse is its
        # legacy HTTP+SSE endpoint.
        async def scenario():
            async with AsyncKoanMcpClient(self.peer.base) as client:
                result = await client.call_tool("trial-site.get-by-id", {"id": "site-boston"})
                return client.era, client.transport_kind, client.session_id, result
        era, kind, session, result = asyncio.run(scenario())
        self.assertEqual((era, kind), ("legacy", "sse"))
        self.assertTrue(session)
        self.assertEqual(result["structuredContent"]["item"]["id"], "site-boston")

    def test_modern_pinned_fails_clearly(self):
        client = KoanMcpClient(self.peer.base + "/mcp", era="modern")
        with self.assertRaises(ProtocolError) as err:
            client.connect()
        client.close()
        self.assertIn("did not offer protocol version 2026-07-28", str(err.exception))

    def test_koan_mcp_with_streamable_http_off_falls_back_to_mcp_sse(self):
        server = KoanServer("--set", "EnableStreamableHttpTransport=false")
        try:
            with KoanMcpClient(server.base + "/mcp") as client:
                self.assertEqual((client.era, client.transport_kind), ("legacy", "sse"))
                self.assertEqual(client.server_info["name"], "koan-mcp")
                self.assertEqual(client.call_tool("trial-site.get-by-id", {"id": "site-lyon"})["structuredContent"]["item"]["id"],
                                 "site-lyon")
        finally:
            server.close()


class DiscoverRefusedTests(unittest.TestCase):
    """server/discover refused the way a server without 2026-07-28 refuses it; koan-mcp serves the rest."""

    @classmethod
    def setUpClass(cls):
        cls.server = KoanServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def _connect_through(self, status: int, error: dict) -> None:
        proxy = DiscoverRefusingProxy(self.server.port, status, error)
        try:
            with KoanMcpClient(f"http://127.0.0.1:{proxy.port}/mcp") as client:
                self.assertEqual((client.era, client.transport_kind, client.protocol_version), ("legacy", "streamable", "2025-11-25"))
                self.assertEqual(client.server_info["name"], "koan-mcp")
                self.assertTrue(client.session_id)
                item = client.call_tool("trial-site.get-by-id", {"id": "site-lyon"})["structuredContent"]["item"]
                self.assertEqual(item["id"], "site-lyon")
            self.assertEqual(proxy.methods[:2], ["server/discover", "initialize"])
            self.assertEqual(proxy.methods.count("server/discover"), 1)
        finally:
            proxy.close()

    def test_method_not_found_falls_back_to_a_2025_session(self):
        self._connect_through(200, {"code": -32601, "message": "Method not found: server/discover"})

    def test_unsupported_version_naming_a_2025_version_falls_back(self):
        self._connect_through(400, {"code": -32022, "message": "Unsupported protocol version",
                                    "data": {"supported": ["2025-11-25", "2025-06-18"], "requested": "2026-07-28"}})

    def test_unsupported_version_naming_none_we_speak_is_an_error(self):
        proxy = DiscoverRefusingProxy(self.server.port, 400, {
            "code": -32022, "message": "Unsupported protocol version",
            "data": {"supported": ["2027-01-15"], "requested": "2026-07-28"}})
        try:
            client = KoanMcpClient(f"http://127.0.0.1:{proxy.port}/mcp")
            with self.assertRaises(RpcError) as err:
                client.connect()
            client.close()
            self.assertEqual(err.exception.code, -32022)
            self.assertEqual(err.exception.data["supported"], ["2027-01-15"])
            self.assertNotIn("initialize", proxy.methods)  # no fallback: the server is modern, just newer
        finally:
            proxy.close()

    def test_modern_pinned_fails_clearly_on_method_not_found(self):
        proxy = DiscoverRefusingProxy(self.server.port, 200, {"code": -32601, "message": "Method not found"})
        try:
            client = KoanMcpClient(f"http://127.0.0.1:{proxy.port}/mcp", era="modern")
            with self.assertRaises(ProtocolError) as err:
                client.connect()
            client.close()
            self.assertIn("did not offer protocol version 2026-07-28", str(err.exception))
        finally:
            proxy.close()


if __name__ == "__main__":
    unittest.main()
