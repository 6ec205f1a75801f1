"""Bearer tokens against koan-mcp with authentication on (Development, tokens from `koan-mcp token`):
401/403 as AuthError, scope-filtered tools and -32003, a token provider refreshed after a 401, expiry mid-session."""
from __future__ import annotations

import asyncio
import pathlib
import sys
import time
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from koan_mcp_client import (NO_RETRY, AsyncKoanMcpClient, AuthError, BearerAuth, KoanMcpClient,  # noqa: E402
                             RpcError)
from koan_server import KoanServer  # noqa: E402

# 2026-07-28 (the default on /mcp), a 2025-11-25 session on Streamable HTTP, legacy HTTP+SSE.
TRANSPORTS = (("/mcp", "modern", {}), ("/mcp", "streamable", {"era": "legacy"}), ("/mcp/sse", "sse", {}))


class AuthTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # No clock-skew leeway, so a token minted with --ttl 2s really expires within the test.
        cls.server = KoanServer("--set", "RequireAuthentication=true", "--set", "Auth:ClockSkewSeconds=0")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_missing_or_bad_token_is_an_auth_error(self):
        for path, kind, options in TRANSPORTS:
            for token in (None, "not-a-jwt"):
                with self.subTest(kind=kind, token=token):
                    started = time.monotonic()
                    client = KoanMcpClient(self.server.base + path, token=token, **options)
                    with self.assertRaises(AuthError) as err:
                        client.connect()  # never retried: another attempt would not fix it
                    client.close()
                    self.assertLess(time.monotonic() - started, 2)
                    self.assertEqual(err.exception.status, 401)
                    self.assertIn('resource_metadata="', err.exception.www_authenticate)
                    self.assertIn("/.well-known/oauth-protected-resource/mcp", err.exception.www_authenticate)

    def test_static_token_scopes(self):
        token = self.server.token("alice", "clinical:operations")
        for path, kind, options in TRANSPORTS:
            with self.subTest(kind), KoanMcpClient(self.server.base + path, token=token, **options) as client:
                names = {t["name"] for t in client.list_tools()}
                self.assertEqual(len(names), 30)  # TrialSite, ParticipantVisit, MonitoringNote: 10 tools each
                self.assertNotIn("protocol-document.collection", names)
                with self.assertRaises(RpcError) as err:
                    client.call_tool("protocol-document.collection")
                self.assertEqual(err.exception.code, -32003)
                self.assertEqual(client.call_tool("trial-site.get-by-id", {"id": "site-osaka"})["structuredContent"]["item"]["id"],
                                 "site-osaka")

    def test_provider_is_asked_again_after_401(self):
        for path, kind, options in TRANSPORTS:
            with self.subTest(kind):
                asked = []

                def provider(force_refresh: bool) -> str:
                    asked.append(force_refresh)
                    return self.server.token("bob", "clinical:safety") if force_refresh else "stale-token"
                with KoanMcpClient(self.server.base + path, token=provider, **options) as client:
                    names = {t["name"] for t in client.list_tools()}
                    client.ping()
                self.assertEqual(asked, [False, True])  # cached after the refresh: not asked per request
                self.assertEqual(names, {n for n in names if n.startswith("adverse-event-report.")})
                self.assertEqual(len(names), 10)

    def test_async_provider_and_expiry_mid_session(self):
        # Tokens live 2 s; after they expire the next request gets 401, the provider mints a new one and the
        # request goes through on the same session (Streamable), or the stream ends with `end` token_expired and
        # the client opens a new session with a fresh token (legacy).
        async def scenario(path, options):
            minted = []

            async def provider(force_refresh: bool) -> str:
                minted.append(force_refresh)
                return await asyncio.to_thread(self.server.token, "carol", "clinical:operations", "2s")
            async with AsyncKoanMcpClient(self.server.base + path, token=BearerAuth(provider), **options) as client:
                first = client.session_id
                await client.ping()
                if client.transport_kind == "sse":  # wait for the server to end the stream (its sweep runs ~1/s)
                    for _ in range(100):
                        if client.sessions_opened >= 2:
                            break
                        await asyncio.sleep(0.1)
                else:
                    await asyncio.sleep(3.2)  # the token has expired by now
                site = await client.call_tool("trial-site.get-by-id", {"id": "site-boston"})
                return minted, first, client.session_id, client.sessions_opened, site
        for path, kind, options in TRANSPORTS:
            with self.subTest(kind):
                minted, first, now, opened, site = asyncio.run(scenario(path, options))
                self.assertEqual(minted, [False, True])
                self.assertEqual(site["structuredContent"]["item"]["id"], "site-boston")
                if kind == "modern":  # no session: the 401 was answered with a fresh token, nothing reopened
                    self.assertEqual((first, now, opened), (None, None, 1))
                elif kind == "streamable":  # koan-mcp also closes idle sessions whose token expired, or not yet
                    self.assertIn(opened, (1, 2))
                else:  # token_expired on the stream: one new session with a fresh token, not one per retry
                    self.assertNotEqual(now, first)
                    self.assertEqual(opened, 2)

    def test_another_subjects_session_is_forbidden(self):
        # 2025 sessions are bound to the token's subject: a provider that switches users gets 403, an AuthError.
        tokens = {False: self.server.token("dave"), True: self.server.token("mallory")}
        client = KoanMcpClient(self.server.base + "/mcp", token=lambda refresh: tokens[refresh], retry=NO_RETRY,
                               era="legacy")
        client.connect()
        client.async_client._http.auth._token = tokens[True]  # the token changes hands mid-session
        with self.assertRaises(AuthError) as err:
            client.ping()
        self.assertEqual(err.exception.status, 403)
        client.close()


class RequiredScopeTests(unittest.TestCase):
    def test_insufficient_scope_is_403(self):
        server = KoanServer("--set", "RequireAuthentication=true", "--set", "Auth:RequiredScopes=mcp:use")
        try:
            client = KoanMcpClient(server.base + "/mcp", token=server.token("erin", "clinical:operations"))
            with self.assertRaises(AuthError) as err:
                client.connect()
            client.close()
            self.assertEqual(err.exception.status, 403)
            self.assertIn('error="insufficient_scope"', err.exception.www_authenticate)
            with KoanMcpClient(server.base + "/mcp/sse", token=server.token("erin", "mcp:use clinical:operations")) as ok:
                ok.ping()
        finally:
            server.close()


if __name__ == "__main__":
    unittest.main()
