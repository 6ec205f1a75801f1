"""The stateless revision 2026-07-28 on Streamable HTTP: per-request `_meta` and mirrored headers, one POST per
request with no session and no resumption, and `subscriptions/listen` streams.

The client (aio.py) decides the era and owns ids, MRTR rounds and subscriptions; this module moves messages.
"""
from __future__ import annotations

import asyncio
import base64
import json
import logging
from typing import Any

from . import _http
from .errors import ConnectionClosedError, HttpError
from .transports import NETWORK_ERRORS, HttpClient, OnError, OnMessage, _messages
from .retry import RetryPolicy

log = logging.getLogger("koan_mcp_client")

MODERN_VERSION = "2026-07-28"
META = "io.modelcontextprotocol/"
PROTOCOL_VERSION_KEY = META + "protocolVersion"
CLIENT_INFO_KEY = META + "clientInfo"
CLIENT_CAPABILITIES_KEY = META + "clientCapabilities"
LOG_LEVEL_KEY = META + "logLevel"
SERVER_INFO_KEY = META + "serverInfo"
SUBSCRIPTION_ID_KEY = META + "subscriptionId"
# Errors only a modern server gives (header mismatch, missing capability, unsupported version): a server that
# answers one of them speaks 2026-07-28, so the client corrects the request instead of falling back.
MODERN_ERROR_CODES = (-32020, -32021, -32022)
# Requests that may answer input_required (MRTR); their Mcp-Name header mirrors params.name or params.uri.
INPUT_REQUIRED_METHODS = ("tools/call", "prompts/get", "resources/read")
NAMED_METHODS = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}


def header_value(value: str) -> str:
    """A value as an HTTP header may carry it: plain when it is visible ASCII without surrounding blanks, else the
    spec's `=?base64?…?=` sentinel (also for a plain value that looks like the sentinel)."""
    plain = all(0x20 <= ord(c) <= 0x7E for c in value) and value == value.strip(" \t")
    if plain and not (value.startswith("=?base64?") and value.endswith("?=")):
        return value
    return "=?base64?" + base64.b64encode(value.encode()).decode() + "?="


def request_headers(message: dict) -> dict[str, str]:
    """MCP-Protocol-Version, Mcp-Method and (for the named methods) Mcp-Name, from the message's own body."""
    params = message.get("params") or {}
    headers = {"MCP-Protocol-Version": str((params.get("_meta") or {}).get(PROTOCOL_VERSION_KEY, MODERN_VERSION)),
               "Mcp-Method": header_value(message["method"])}
    field = NAMED_METHODS.get(message["method"])
    if field and isinstance(params.get(field), str):
        headers["Mcp-Name"] = header_value(params[field])
    return headers


def param_headers(schema: dict) -> list[tuple[tuple[str, ...], str]]:
    """The (property path, header name) pairs a tool's inputSchema marks with `x-mcp-header`, reachable through
    `properties` alone. Raises ValueError for an annotation the spec forbids (the tool is then left out)."""
    found: list[tuple[tuple[str, ...], str]] = []
    tchar = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")

    def walk(node: Any, path: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        name = node.get("x-mcp-header")
        if name is not None:
            if not isinstance(name, str) or not name or not set(name) <= tchar:
                raise ValueError(f"x-mcp-header {name!r} at {'/'.join(path)} is not an HTTP token")
            if node.get("type") not in ("string", "integer", "boolean"):
                raise ValueError(f"x-mcp-header {name!r} is on a {node.get('type')!r} property, not a string, "
                                 "integer or boolean")
            if any(n.lower() == name.lower() for _, n in found):
                raise ValueError(f"x-mcp-header {name!r} appears twice")
            found.append((path, name))
        for key, child in (node.get("properties") or {}).items():
            walk(child, path + (key,))

    walk(schema, ())
    return found


def param_header_values(marks: list[tuple[tuple[str, ...], str]], arguments: dict) -> dict[str, str]:
    """Mcp-Param-{Name} headers for the arguments of one call (a missing or null value sends no header)."""
    headers = {}
    for path, name in marks:
        value: Any = arguments
        for key in path:
            value = value.get(key) if isinstance(value, dict) else None
        if value is None or isinstance(value, (dict, list, float)):
            continue
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        headers[f"Mcp-Param-{name}"] = header_value(text)
    return headers


def rpc_error_reply(body: Any) -> dict | None:
    """The JSON-RPC error a modern server puts in a 4xx body (-32020..-32022 with 400, -32601 with 404)."""
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and "code" in body["error"]:
        return body
    return None


class StatelessHttpTransport:
    """Every request is its own POST carrying the headers that mirror its body; the answer is JSON or an SSE stream
    of that request alone. No session and no resumption: a stream that ends before its answer fails the request,
    and closing a stream is how a request (or a listen subscription) is cancelled."""

    kind = "streamable"
    stateless = True
    session_id = None

    def __init__(self, url: str, http: HttpClient, on_message: OnMessage, on_error: OnError, retry: RetryPolicy):
        self.url, self.http, self.on_message, self.on_error = url, http, on_message, on_error
        self.protocol_version = MODERN_VERSION
        self._streams: dict[Any, tuple[asyncio.Task, _http.Response]] = {}
        self._closing = False

    async def start(self) -> None:
        pass  # nothing to open: no session

    async def send(self, message: dict, headers: dict[str, str] | None = None) -> None:
        if self._closing:
            raise ConnectionClosedError("transport closed")
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if "method" in message:
            h.update(request_headers(message))
        h.update(headers or {})
        try:
            response = await self.http.send(self.url, "POST", h, json.dumps(message).encode())
        except HttpError as err:
            # 400 (-32020/-32021/-32022) and 404 (-32601) carry the request's JSON-RPC error: answer it with that.
            reply = rpc_error_reply(err.body)
            if reply is None or "id" not in message:
                raise
            self.on_message({**reply, "id": message["id"] if reply.get("id") is None else reply["id"]})
            return
        if response.status == 202 or "id" not in message:
            response.close()
        elif response.content_type == "application/json":
            for m in _messages((await response.read()).decode()):
                self.on_message(m)
        elif response.content_type == "text/event-stream":
            rid = message["id"]
            task = asyncio.create_task(self._follow(response, rid))
            self._streams[rid] = (task, response)
            task.add_done_callback(lambda _: self._streams.pop(rid, None))
        else:
            response.close()
            raise HttpError(response.status, None, f"HTTP {response.status} with unexpected content type "
                                                   f"{response.content_type!r} from {self.url}")

    async def _follow(self, response: _http.Response, request_id: Any) -> None:
        why = "the server closed the stream before the answer"
        try:
            async for e in _http.sse_events(response):
                if e.event == "message" and e.data.strip():
                    for m in _messages(e.data):
                        self.on_message(m)
                        if m.get("id") == request_id and "method" not in m:
                            return
        except NETWORK_ERRORS as err:
            why = f"the stream broke: {err!r}"
        if not self._closing:
            self.on_error(ConnectionClosedError(f"request {request_id}: {why} (2026-07-28 streams do not resume)"),
                          request_id)

    def cancel(self, request_id: Any) -> bool:
        """Closes the request's stream, which is its cancellation on this revision. False when it has none."""
        entry = self._streams.pop(request_id, None)
        if entry is None:
            return False
        task, response = entry
        task.cancel()
        response.close()
        return True

    async def close(self) -> None:
        self._closing = True
        tasks = [task for task, _ in self._streams.values()]
        for rid in list(self._streams):
            self.cancel(rid)
        await asyncio.gather(*tasks, return_exceptions=True)


class Subscription:
    """A `subscriptions/listen` stream: the acknowledged filter, then the notifications it asked for.

    `async for n in subscription` (or `await next(timeout)`) yields them in order; they also reach the client's
    on_notification. Ends with close() (the stream is closed, which tells the server), with the server's final
    result (`ended_by_server`), or when the connection drops (`error`)."""

    def __init__(self, subscription_id: Any, requested: dict, closer):
        self.id = subscription_id
        self.requested = requested
        self.honored: dict | None = None  # the acknowledgement's `notifications`
        self.ended_by_server = False
        self.error: BaseException | None = None
        self._closer = closer
        self._queue: asyncio.Queue = asyncio.Queue()
        self._acknowledged: asyncio.Future = asyncio.get_running_loop().create_future()
        self._ended = False

    @property
    def closed(self) -> bool:
        return self._ended

    def _acknowledge(self, params: dict) -> None:
        self.honored = params.get("notifications") or {}
        if not self._acknowledged.done():
            self._acknowledged.set_result(self.honored)

    def _deliver(self, notification: dict) -> None:
        if not self._ended:
            self._queue.put_nowait(notification)

    def _end(self, error: BaseException | None = None, by_server: bool = False) -> None:
        if self._ended:
            return
        self._ended, self.error, self.ended_by_server = True, error, by_server
        if not self._acknowledged.done():
            self._acknowledged.set_exception(error or ConnectionClosedError("the subscription ended before its "
                                                                            "acknowledgement"))
            self._acknowledged.exception()  # retrieved here: listen() may no longer be waiting for it
        self._queue.put_nowait(None)

    async def next(self, timeout: float | None = None) -> dict:
        """The next notification; ConnectionClosedError once the subscription has ended (asyncio.TimeoutError when
        none arrives in `timeout` seconds)."""
        item = await asyncio.wait_for(self._queue.get(), timeout)
        if item is None:
            self._queue.put_nowait(None)  # every later call ends too
            if isinstance(self.error, Exception) and not isinstance(self.error, ConnectionClosedError):
                raise self.error
            raise ConnectionClosedError(str(self.error) if self.error else
                                        "the server ended the subscription" if self.ended_by_server else
                                        "the subscription is closed")
        return item

    def __aiter__(self):
        return self

    async def __anext__(self) -> dict:
        try:
            return await self.next()
        except ConnectionClosedError:
            raise StopAsyncIteration from None

    async def close(self) -> None:
        """Closes the stream; the server ends the subscription (no request is sent)."""
        if not self._ended:
            self._closer(self.id)
            self._end()
