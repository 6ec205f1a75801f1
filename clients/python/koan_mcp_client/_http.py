"""A small asyncio HTTP/1.1 client (one connection per request, streamed bodies) and an SSE parser.

The standard library has no asyncio HTTP client, and urllib cannot hand out a body while it is still streaming.
"""
from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass
from typing import Any, AsyncIterator
from urllib.parse import urlsplit


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    _reader: asyncio.StreamReader
    _writer: asyncio.StreamWriter

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    @property
    def content_type(self) -> str:
        return (self.header("content-type") or "").split(";")[0].strip().lower()

    async def chunks(self) -> AsyncIterator[bytes]:
        """The body as it arrives; the connection is closed afterwards (or when the caller stops early)."""
        try:
            if "chunked" in (self.header("transfer-encoding") or "").lower():
                while True:
                    size = int((await self._reader.readline()).split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        return
                    yield await self._reader.readexactly(size)
                    await self._reader.readexactly(2)
            elif (length := self.header("content-length")) is not None:
                remaining = int(length)
                while remaining > 0:
                    data = await self._reader.read(min(remaining, 65536))
                    if not data:
                        raise asyncio.IncompleteReadError(b"", remaining)
                    remaining -= len(data)
                    yield data
            else:
                while data := await self._reader.read(65536):
                    yield data
        finally:
            self.close()

    async def read(self) -> bytes:
        return b"".join([c async for c in self.chunks()])

    async def body(self) -> Any:
        """Parsed JSON when the body is JSON, else text (for error messages)."""
        data = await self.read()
        try:
            return json.loads(data)
        except ValueError:
            return data.decode(errors="replace")

    def close(self) -> None:
        self._writer.close()


async def request(url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes = b"",
                  timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None) -> Response:
    """Sends one request and returns once the status line and headers are in; the body is read by the caller."""
    parts = urlsplit(url)
    tls = parts.scheme == "https"
    context = (ssl_context or ssl.create_default_context()) if tls else None
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection(parts.hostname, parts.port or (443 if tls else 80), ssl=context), timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if ":" not in (parts.hostname or "") else f"[{parts.hostname}]"
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}" + (f":{parts.port}" if parts.port else ""),
                 "Connection: close", "User-Agent: koan-mcp-client-python"]
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
    except BaseException:
        writer.close()
        raise
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parsed: dict[str, str] = {}
    for line in header_lines:
        name, sep, value = line.partition(":")
        if sep:
            parsed[name.strip().lower()] = value.strip()
    return Response(int(status_line.split(" ")[1]), parsed, reader, writer)


def retry_after(response: Response) -> float | None:
    value = response.header("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to the backoff


@dataclass
class SseEvent:
    event: str = "message"
    data: str = ""
    id: str | None = None
    retry: int | None = None  # ms the server asks us to wait before reconnecting


async def sse_events(response: Response) -> AsyncIterator[SseEvent]:
    """Parses a text/event-stream body (comments such as keep-alives are skipped)."""
    buffer = b""
    event, data, event_id, retry = "", [], None, None
    async for chunk in response.chunks():
        buffer += chunk
        while (newline := buffer.find(b"\n")) >= 0:
            line = buffer[:newline].rstrip(b"\r").decode()
            buffer = buffer[newline + 1:]
            if not line:
                if data or event or event_id is not None or retry is not None:
                    yield SseEvent(event or "message", "\n".join(data), event_id, retry)
                event, data, event_id, retry = "", [], None, None
            elif not line.startswith(":"):
                name, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if name == "data":
                    data.append(value)
                elif name == "event":
                    event = value
                elif name == "id":
                    event_id = value
                elif name == "retry" and value.isdigit():
                    retry = int(value)
