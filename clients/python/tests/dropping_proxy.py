"""A real TCP proxy in front of koan-mcp that cuts one response connection when it sees a marker.

It simulates a network drop (load balancer timeout, flaky Wi-Fi) in the middle of an SSE stream, while the
server and its session stay up — the case Streamable HTTP resumption (Last-Event-ID) exists for.
"""
from __future__ import annotations

import asyncio
import threading


class DroppingProxy:
    def __init__(self, target_port: int):
        self.target_port = target_port
        self.marker: bytes | None = None  # cut the first response carrying this, then disarm
        self.cuts = 0
        self.requests: list[bytes] = []  # first bytes of each request seen (method and path)
        self.wire: list[bytes] = []  # the first chunk of each request (its head, and its body when small)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        try:
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
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

        tasks = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for t in tasks:
            t.cancel()
        client_w.close()
        server_w.close()

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        if not self._thread.is_alive():
            self._loop.close()
