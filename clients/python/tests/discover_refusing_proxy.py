"""A server that does not serve 2026-07-28, in front of the real koan-mcp: it answers `server/discover` with a
given JSON-RPC error (what an older or differently versioned server says) and relays everything else unchanged.

koan-mcp itself always serves 2026-07-28, so this is how the client's fallback branches for -32601 (method not
found) and -32022 (unsupported protocol version, with `supported`) meet a real server: after the refusal the
client's `initialize` reaches koan-mcp and a real 2025-11-25 session follows. The client is under test here.
"""
from __future__ import annotations

import asyncio
import json

from loopback_relay import LoopbackRelay


class DiscoverRefusingProxy(LoopbackRelay):
    def __init__(self, target_port: int, status: int, error: dict):
        self.status = status
        self.error = error
        self.methods: list[str | None] = []  # the JSON-RPC method of every POST, in order
        super().__init__(target_port)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            # Answer discovers on this connection until another request comes; relay from then on.
            while True:
                head = await client_r.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
                body = await client_r.readexactly(int(headers.get("content-length", "0")))
                method = None
                if lines[0].startswith("POST"):
                    try:
                        method = json.loads(body).get("method")
                    except (ValueError, AttributeError):
                        pass
                    self.methods.append(method)
                if method != "server/discover":
                    break
                reply = json.dumps({"jsonrpc": "2.0", "id": json.loads(body).get("id"), "error": self.error}).encode()
                client_w.write(b"HTTP/1.1 %d Refused\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                               % (self.status, len(reply)) + reply)
                await client_w.drain()
            server_r, server_w = await self.connect()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            client_w.close()
            return
        server_w.write(head + body)
        await self.relay(client_w, server_w, self.pipe(client_r, server_w), self.pipe(server_r, client_w))
