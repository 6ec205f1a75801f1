"""A real TCP proxy in front of koan-mcp that cuts one response connection when it sees a marker.

It simulates a network drop (load balancer timeout, flaky Wi-Fi) in the middle of an SSE stream, while the
server and its session stay up — the case Streamable HTTP resumption (Last-Event-ID) exists for.
"""
from __future__ import annotations

import asyncio

from loopback_relay import LoopbackRelay


class DroppingProxy(LoopbackRelay):
    def __init__(self, target_port: int):
        self.marker: bytes | None = None  # cut the first response carrying this, then disarm
        self.cuts = 0
        self.requests: list[bytes] = []  # first bytes of each request seen (method and path)
        self.wire: list[bytes] = []  # the first chunk of each request (its head, and its body when small)
        super().__init__(target_port)

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await self.connect()
        except OSError:
            client_w.close()
            return

        async def upstream() -> None:
            first = True
            while data := await client_r.read(65536):
                if first:
                    self.requests.append(data.split(b"\r\n", 1)[0])
                    self.wire.append(data)
                    first = False
                server_w.write(data)
                await server_w.drain()
            server_w.close()

        async def downstream() -> None:
            while data := await server_r.read(65536):
                client_w.write(data)
                await client_w.drain()
                if self.marker and self.marker in data:
                    self.marker = None
                    self.cuts += 1
                    break  # drop both sides mid-stream
            client_w.close()
            server_w.close()

        await self.relay(client_w, server_w, upstream(), downstream())
