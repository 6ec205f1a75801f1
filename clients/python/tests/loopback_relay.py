"""A TCP relay on a free loopback port in front of the real koan-mcp, on a thread and event loop of its own.

The test proxies (dropping_proxy, discover_refusing_proxy) say in `_handle` what one client connection gets;
this base listens, connects to the server and runs the two directions until either ends.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine


class LoopbackRelay:
    def __init__(self, target_port: int):
        self.target_port = target_port
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
        raise NotImplementedError

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        """A connection to koan-mcp."""
        return await asyncio.open_connection("127.0.0.1", self.target_port)

    @staticmethod
    async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        """Copies r to w until r ends."""
        while data := await r.read(65536):
            w.write(data)
            await w.drain()

    @staticmethod
    async def relay(client_w: asyncio.StreamWriter, server_w: asyncio.StreamWriter,
                    upstream: Coroutine, downstream: Coroutine) -> None:
        """Runs both directions until one ends, then closes both connections."""
        tasks = [asyncio.ensure_future(upstream), asyncio.ensure_future(downstream)]
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
