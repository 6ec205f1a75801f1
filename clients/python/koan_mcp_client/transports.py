"""The two HTTP transports of koan-mcp: legacy HTTP+SSE (2024-11-05) and Streamable HTTP (2025-03-26+).

A transport moves JSON-RPC messages; the client owns ids, sessions and reconnection. Transports report back
through two callbacks: on_message(message) and on_error(error, request_id) — request_id None means the whole
session is gone, otherwise only that request's stream failed (the session may live on).
"""
from __future__ import annotations

import asyncio
import json
import logging
import ssl
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, urljoin, urlsplit

from . import _http
from .auth import BearerAuth
from .errors import AuthError, ConnectionClosedError, HttpError, KoanMcpError, ProtocolError, SessionLostError
from .retry import RetryPolicy

log = logging.getLogger("koan_mcp_client")

OnMessage = Callable[[dict], None]
OnError = Callable[[KoanMcpError, Optional[Any]], None]
NETWORK_ERRORS = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError)


def _error_text(body: Any) -> str:
    """The human part of koan-mcp's error bodies: {"error": code, "message": …} or a JSON-RPC error object."""
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            return str(err.get("message", err))
        if "message" in body:
            return f"{err}: {body['message']}" if err else str(body["message"])
    return str(body)[:300]


class HttpClient:
    """Sends requests with the bearer token and asks for a fresh token once after a 401."""

    def __init__(self, auth: BearerAuth, timeout: float, ssl_context: ssl.SSLContext | None = None,
                 headers: dict[str, str] | None = None):
        self.auth = auth
        self.timeout = timeout
        self.ssl_context = ssl_context
        self.headers = dict(headers or {})

    async def send(self, url: str, method: str, headers: dict[str, str], body: bytes = b"") -> _http.Response:
        token, generation = await self.auth.token()
        refreshed = False
        while True:
            h = {**self.headers, **headers}
            if token:
                h["Authorization"] = f"Bearer {token}"
            response = await _http.request(url, method, h, body, self.timeout, self.ssl_context)
            if response.status == 401 and not refreshed and self.auth.can_refresh:
                response.close()  # expired or revoked: one fresh token, then give up
                token, refreshed = await self.auth.refresh(generation), True
                continue
            break
        if response.status in (401, 403):
            raise AuthError(response.status, await response.body(), response.header("www-authenticate"))
        if response.status >= 400:
            body_value = await response.body()
            raise HttpError(response.status, body_value,
                            f"HTTP {response.status} from {method} {url}: {_error_text(body_value)}",
                            _http.retry_after(response))
        return response


def end_reason(data: str) -> str | None:
    """koan-mcp's final `event: end` carries {"reason": …}."""
    try:
        value = json.loads(data)
    except ValueError:
        return None
    return value.get("reason") if isinstance(value, dict) else None


def _messages(data: str) -> list[dict]:
    try:
        value = json.loads(data)
    except ValueError:
        log.warning("ignoring a message that is not JSON: %.200s", data)
        return []
    return [m for m in (value if isinstance(value, list) else [value]) if isinstance(m, dict)]


class LegacySseTransport:
    """GET …/sse opens the stream; its `endpoint` event names the URL every message is POSTed to."""

    kind = "sse"

    def __init__(self, url: str, http: HttpClient, on_message: OnMessage, on_error: OnError, retry: RetryPolicy):
        self.url, self.http, self.on_message, self.on_error = url, http, on_message, on_error
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.endpoint: str | None = None
        self._task: asyncio.Task | None = None
        self._closing = False

    async def start(self) -> None:
        response = await self.http.send(self.url, "GET", {"Accept": "text/event-stream"})
        if response.content_type != "text/event-stream":
            response.close()
            raise ProtocolError(f"{self.url} answered {response.content_type or 'no content type'}, "
                                "not an SSE stream (is this the …/mcp/sse URL?)")
        events = _http.sse_events(response)
        try:
            first = await asyncio.wait_for(anext(events), self.http.timeout)
        except StopAsyncIteration:
            raise ConnectionClosedError("the SSE stream ended before the endpoint event") from None
        if first.event != "endpoint":
            response.close()
            raise ProtocolError(f"expected an endpoint event first, got {first.event!r}")
        endpoint = urljoin(self.url, first.data.strip())
        if urlsplit(endpoint)[:2] != urlsplit(self.url)[:2]:  # never POST our token to another origin
            response.close()
            raise ProtocolError(f"the endpoint {endpoint} is not on the origin of {self.url}")
        self.endpoint = endpoint
        self.session_id = parse_qs(urlsplit(endpoint).query).get("sessionId", [None])[0]
        self._task = asyncio.create_task(self._pump(events))

    async def _pump(self, events) -> None:
        reason, code = "the server closed the stream", None
        try:
            async for e in events:
                if e.event == "end":  # koan-mcp says why: transport_disabled, server_shutdown, token_expired…
                    reason, code = f"the server ended the session: {e.data}", end_reason(e.data)
                elif e.event == "message" and e.data.strip():
                    for m in _messages(e.data):
                        self.on_message(m)
        except NETWORK_ERRORS as err:
            reason = f"the stream broke: {err!r}"
        if not self._closing:
            # This transport cannot resume: the session ends with its stream.
            self.on_error(SessionLostError(reason, code), None)

    async def send(self, message: dict) -> None:
        if not self.endpoint or self._closing:
            raise SessionLostError("not connected")
        headers = {"Content-Type": "application/json"}
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        try:
            response = await self.http.send(self.endpoint, "POST", headers, json.dumps(message).encode())
        except HttpError as err:
            if err.status == 404:  # the server closed the session; the message was not processed
                raise SessionLostError(str(err)) from err
            raise
        response.close()

    async def close(self) -> None:
        self._closing = True
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


class StreamableHttpTransport:
    """Every message is a POST to …/mcp; a request's answer comes as JSON or on an SSE stream of its own.

    A stream that breaks before the answer is resumed with GET + Last-Event-ID (after the server's `retry` hint,
    with backoff), so the answer and any progress events missed meanwhile are replayed.
    """

    kind = "streamable"

    def __init__(self, url: str, http: HttpClient, on_message: OnMessage, on_error: OnError, retry: RetryPolicy):
        self.url, self.http, self.on_message, self.on_error, self.retry = url, http, on_message, on_error, retry
        self.session_id: str | None = None
        self.protocol_version: str | None = None
        self.resumptions = 0  # streams resumed with Last-Event-ID (observable for tests and logs)
        self._tasks: set[asyncio.Task] = set()
        self._closing = False

    async def start(self) -> None:
        pass  # the session starts with the initialize POST

    def _headers(self, **extra: str) -> dict[str, str]:
        headers = dict(extra)
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        if self.protocol_version:
            headers["MCP-Protocol-Version"] = self.protocol_version
        return headers

    async def send(self, message: dict) -> None:
        if self._closing:
            raise SessionLostError("transport closed")
        had_session = self.session_id is not None
        headers = self._headers(**{"Content-Type": "application/json", "Accept": "application/json, text/event-stream"})
        try:
            response = await self.http.send(self.url, "POST", headers, json.dumps(message).encode())
        except HttpError as err:
            if err.status == 404 and had_session:  # the session ended (restart, timeout, DELETE): not processed
                self.session_id = None
                raise SessionLostError(str(err)) from err
            raise
        self.session_id = response.header("mcp-session-id") or self.session_id
        if response.status == 202 or "method" not in message or "id" not in message:
            response.close()
        elif response.content_type == "application/json":
            for m in _messages((await response.read()).decode()):
                self.on_message(m)
        elif response.content_type == "text/event-stream":
            task = asyncio.create_task(self._follow(response, message["id"]))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        else:
            response.close()
            raise ProtocolError(f"HTTP {response.status} with unexpected content type {response.content_type!r} from {self.url}")

    async def _follow(self, response: _http.Response | None, request_id: Any) -> None:
        """Reads a request's stream until its answer, resuming it when the connection drops."""
        last_id: str | None = None
        retry_ms = 0
        failures = 0
        while True:
            if response is not None:
                try:
                    async for e in _http.sse_events(response):
                        last_id = e.id if e.id is not None else last_id
                        retry_ms = e.retry if e.retry is not None else retry_ms
                        if e.event == "end":
                            self.session_id = None
                            return self.on_error(SessionLostError(f"the server ended the session: {e.data}",
                                                                  end_reason(e.data)), None)
                        if e.event == "message" and e.data.strip():
                            failures = 0
                            for m in _messages(e.data):
                                self.on_message(m)
                                if m.get("id") == request_id and "method" not in m:
                                    return
                except NETWORK_ERRORS as err:
                    log.info("stream of request %s broke: %r", request_id, err)
                response = None
            if self._closing:
                return
            if last_id is None or failures >= self.retry.attempts:
                why = "without an event id to resume from" if last_id is None else f"after {failures} attempts"
                return self.on_error(ConnectionClosedError(f"the stream of request {request_id} broke {why}"), request_id)
            await asyncio.sleep(max(retry_ms / 1000, self.retry.delay(failures)))
            failures += 1
            try:
                response = await self.http.send(self.url, "GET", self._headers(**{"Accept": "text/event-stream",
                                                                                   "Last-Event-ID": last_id}))
                self.resumptions += 1
            except HttpError as err:
                if err.status == 404:
                    self.session_id = None
                    return self.on_error(SessionLostError(f"the session is gone: {err}"), None)
                if not err.retryable:
                    return self.on_error(err, request_id)
            except NETWORK_ERRORS as err:
                log.info("resuming the stream of request %s failed: %r", request_id, err)

    async def close(self) -> None:
        self._closing = True
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.session_id:  # tell the server, so it frees the session now rather than at its idle timeout
            try:
                (await self.http.send(self.url, "DELETE", self._headers())).close()
            except (KoanMcpError, *NETWORK_ERRORS):
                pass
            self.session_id = None


Transport = LegacySseTransport | StreamableHttpTransport


def transport_for(url: str, kind: str | None) -> type:
    """`kind` wins; otherwise …/sse means legacy HTTP+SSE and anything else Streamable HTTP."""
    kind = kind or ("sse" if urlsplit(url).path.rstrip("/").endswith("/sse") else "streamable")
    if kind not in ("sse", "streamable"):
        raise ValueError("transport must be 'sse' or 'streamable'")
    return LegacySseTransport if kind == "sse" else StreamableHttpTransport
