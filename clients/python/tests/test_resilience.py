"""Retry with backoff against a real koan-mcp: a server that starts late, one that never comes (2026-07-28 on /mcp),
a dropped legacy stream (rollback switch), a restart (2025 session gone), a 2025 Streamable stream cut by the network
and resumed with Last-Event-ID, a 2026-07-28 request while the server is down, and HTTP errors that are or are not
worth retrying."""
from __future__ import annotations

import asyncio
import pathlib
import sys
import threading
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from koan_mcp_client import (NO_RETRY, AsyncKoanMcpClient, ConnectionClosedError, HttpError,  # noqa: E402
                             KoanMcpClient, RetryPolicy)
from dropping_proxy import DroppingProxy  # noqa: E402
from koan_server import KoanServer, free_port  # noqa: E402

FAST = RetryPolicy(attempts=10, base_delay=0.1, max_delay=0.8)


class CountingRetry(RetryPolicy):
    """Records the delays the client asked for (the policy is real; it only keeps a log)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.delays: list[float] = []

    def delay(self, attempt, retry_after=None):
        d = super().delay(attempt, retry_after)
        self.delays.append(d)
        return d


class BackoffTests(unittest.TestCase):
    def test_policy_is_exponential_with_jitter_and_a_cap(self):
        policy = RetryPolicy(base_delay=0.1, max_delay=1.0)
        for attempt in range(12):
            samples = [policy.delay(attempt) for _ in range(200)]
            self.assertLessEqual(max(samples), min(1.0, 0.1 * 2 ** attempt))
            self.assertGreaterEqual(min(samples), 0)
        self.assertGreater(len({round(policy.delay(5), 6) for _ in range(50)}), 40)  # jittered, not lock-step
        self.assertGreaterEqual(policy.delay(0, retry_after=0.7), 0.7)  # Retry-After is a floor…
        self.assertLessEqual(policy.delay(0, retry_after=60), 1.0)  # …capped by max_delay

    def test_connect_waits_for_a_server_that_starts_late(self):
        for path in ("/mcp", "/mcp/sse"):
            with self.subTest(path):
                server = KoanServer(start=False)
                retry = CountingRetry(attempts=20, base_delay=0.1, max_delay=0.5)
                starter = threading.Timer(1.0, server.start)
                started = time.monotonic()
                starter.start()
                try:
                    with KoanMcpClient(server.base + path, retry=retry) as client:
                        elapsed = time.monotonic() - started
                        client.ping()
                        self.assertEqual(client.server_info["name"], "koan-mcp")
                finally:
                    starter.join()
                    server.close()
                self.assertGreaterEqual(elapsed, 0.9)
                self.assertGreaterEqual(len(retry.delays), 2)

    def test_connect_gives_up(self):
        retry = CountingRetry(attempts=4, base_delay=0.05, max_delay=0.2)
        started = time.monotonic()
        client = KoanMcpClient(f"http://127.0.0.1:{free_port()}/mcp", retry=retry)
        with self.assertRaises(ConnectionClosedError) as err:
            client.connect()
        client.close()
        self.assertIn("after 4 attempts", str(err.exception))
        self.assertEqual(len(retry.delays), 3)
        self.assertLess(time.monotonic() - started, 3)


class DroppedStreamTests(unittest.TestCase):
    def setUp(self):
        self.server = KoanServer("--fixtures", "conformance")

    def tearDown(self):
        self.server.close()

    def test_legacy_stream_dropped_by_the_rollback_switch(self):
        async def scenario():
            asked = asyncio.Event()

            async def never_answer(params):  # keeps the tool call below in flight until the session dies
                asked.set()
                await asyncio.Event().wait()
            async with AsyncKoanMcpClient(self.server.base + "/mcp/sse", retry=FAST, capabilities={"sampling": {}},
                                          request_handlers={"sampling/createMessage": never_answer}) as client:
                first = client.session_id
                slow = asyncio.ensure_future(client.call_tool("test_sampling", {"prompt": "wait"}))
                await asyncio.wait_for(asked.wait(), 10)
                await asyncio.to_thread(self.server.set_legacy_transport, False)  # ends the stream: event end
                with self.assertRaises(ConnectionClosedError):
                    await slow  # in flight when the session died: failed, never re-sent
                await asyncio.sleep(0.3)  # reconnect attempts meet 503 + Retry-After meanwhile
                await asyncio.to_thread(self.server.set_legacy_transport, True)
                site = await client.call_tool("trial-site.get-by-id", {"id": "site-lyon"})
                return first, client.session_id, client.sessions_opened, site
        first, second, opened, site = asyncio.run(scenario())
        self.assertNotEqual(first, second)
        self.assertGreaterEqual(opened, 2)
        self.assertEqual(site["structuredContent"]["item"]["id"], "site-lyon")

    def test_server_restart(self):
        for path in ("/mcp", "/mcp/sse"):
            reconnects: list = []
            with self.subTest(path), KoanMcpClient(self.server.base + path, retry=FAST, on_reconnect=reconnects.append, era="legacy") as client:
                first = client.session_id
                self.server.stop()
                self.server.start()  # same port and database, no sessions
                # Legacy: the stream dropped and the client reconnects in the background. Streamable: the POST
                # gets 404 (session unknown), the client opens a new session and sends the request again.
                self.assertEqual(client.call_tool("trial-site.get-by-id", {"id": "site-osaka"})["structuredContent"]["item"]["id"],
                                 "site-osaka")
                self.assertNotEqual(client.session_id, first)
                self.assertEqual(client.sessions_opened, 2)
                self.assertEqual([r["serverInfo"]["name"] for r in reconnects], ["koan-mcp"])

    def test_request_while_the_server_is_down(self):
        async def scenario():
            async with AsyncKoanMcpClient(self.server.base + "/mcp", retry=FAST, era="legacy") as client:
                first = client.session_id
                await asyncio.to_thread(self.server.stop)
                restart = threading.Timer(0.8, self.server.start)
                restart.start()
                started = time.monotonic()
                try:
                    await client.ping()  # refused connections are retried (nothing was sent), then 404 → new session
                finally:
                    await asyncio.to_thread(restart.join)
                return first, client.session_id, time.monotonic() - started
        first, second, waited = asyncio.run(scenario())
        self.assertNotEqual(first, second)
        self.assertGreaterEqual(waited, 0.7)

    def test_modern_request_while_the_server_is_down(self):
        # No session to lose: refused connections are retried (nothing was sent) until the server is back.
        async def scenario():
            async with AsyncKoanMcpClient(self.server.base + "/mcp", retry=FAST) as client:
                await asyncio.to_thread(self.server.stop)
                restart = threading.Timer(0.8, self.server.start)
                restart.start()
                started = time.monotonic()
                try:
                    site = await client.call_tool("trial-site.get-by-id", {"id": "site-osaka"})
                finally:
                    await asyncio.to_thread(restart.join)
                return client.era, client.sessions_opened, site, time.monotonic() - started
        era, opened, site, waited = asyncio.run(scenario())
        self.assertEqual((era, opened), ("modern", 1))
        self.assertEqual(site["structuredContent"]["item"]["id"], "site-osaka")
        self.assertGreaterEqual(waited, 0.7)

    def test_streamable_stream_cut_mid_response_is_resumed(self):
        proxy = DroppingProxy(self.server.port)
        try:
            for client_kind in ("async", "sync"):
                with self.subTest(client_kind):
                    proxy.marker = b"notifications/progress"  # cut the POST's SSE stream after the first progress event
                    url = f"http://127.0.0.1:{proxy.port}/mcp"
                    progress: list = []
                    if client_kind == "async":
                        async def scenario():
                            async with AsyncKoanMcpClient(url, retry=FAST, era="legacy") as client:
                                session = client.session_id
                                result = await client.call_tool("test_tool_with_progress", on_progress=progress.append)
                                return result, session, client.session_id, client._transport.resumptions
                        result, before, after, resumptions = asyncio.run(scenario())
                    else:
                        with KoanMcpClient(url, retry=FAST, era="legacy") as client:
                            before = client.session_id
                            result = client.call_tool("test_tool_with_progress", on_progress=progress.append)
                            after, resumptions = client.session_id, client.async_client._transport.resumptions
                    self.assertEqual(proxy.cuts, 1 if client_kind == "async" else 2)
                    self.assertEqual(resumptions, 1)
                    self.assertEqual(before, after)  # same session: resumed, not reconnected
                    self.assertIn("Progress reported", result["content"][0]["text"])
                    # Events sent while the connection was down were replayed after Last-Event-ID, none twice.
                    self.assertEqual([p["progress"] for p in progress], [0, 50, 100])
            self.assertTrue(any(r.startswith(b"GET /mcp") for r in proxy.requests))
        finally:
            proxy.close()

    def test_http_errors(self):
        # 503 + Retry-After from a disabled transport is retryable; give up at once here to see it.
        self.server.set_legacy_transport(False)
        client = KoanMcpClient(self.server.base + "/mcp/sse", retry=NO_RETRY)
        with self.assertRaises(HttpError) as err:
            client.connect()
        client.close()
        self.assertEqual((err.exception.status, err.exception.retryable, err.exception.retry_after), (503, True, 5.0))
        self.assertIn("transport_disabled", str(err.exception))
        self.server.set_legacy_transport(True)
        # A wrong path is 404: not retried, even with a retry policy.
        started = time.monotonic()
        client = KoanMcpClient(self.server.base + "/nope/sse", retry=FAST)
        with self.assertRaises(HttpError) as err:
            client.connect()
        client.close()
        self.assertEqual((err.exception.status, err.exception.retryable), (404, False))
        self.assertLess(time.monotonic() - started, 1)


if __name__ == "__main__":
    unittest.main()
