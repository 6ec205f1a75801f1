"""A server that does not serve 2026-07-28, in front of the real koan-mcp: it answers `server/discover` with a
given JSON-RPC error (what an older or differently versioned server says) and relays everything else unchanged.

koan-mcp itself always serves 2026-07-28, so this is how the client's fallback branches for -32601 (method not
found) and -32022 (unsupported protocol version, with `supported`) meet a real server: after the refusal the
client's `initialize` reaches koan-mcp and a real 2025-11-25 session follows. The client is under test here.
"""
from __future__ import annotations

import asyncio
import json
import threading


class DiscoverRefusingProxy:
    def __init__(self, target_port: int, status: int, error: dict):
        self.target_port = target_port
        self.status = status
        self.error = error
        self.methods: list[str | None] = []  # the JSON-RPC method of every POST, in order
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
            server_r, server_w = await asyncio.open_connection("127.0.0.1", self.target_port)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError):
            client_w.close()
            return
        server_w.write(head + body)

        async def pipe(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            while data := await r.read(65536):
                w.write(data)
                await w.drain()

        tasks = [asyncio.ensure_future(pipe(client_r, server_w)), asyncio.ensure_future(pipe(server_r, client_w))]
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
