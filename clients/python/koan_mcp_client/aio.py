"""asyncio client for koan-mcp over legacy HTTP+SSE or Streamable HTTP."""
from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import ssl
from typing import Any, Callable, Optional

from .auth import TokenSource, as_auth
from .errors import (AuthError, ConnectionClosedError, HttpError, KoanMcpError, ProtocolError, RpcError, SessionLostError,
                     TimeoutError, ToolError)
from .retry import RetryPolicy
from .transports import NETWORK_ERRORS, HttpClient, Transport, transport_for
from .types import (LOG_LEVELS, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, CallToolResult, InitializeResult,
                    JsonObject, Progress, Tool)

log = logging.getLogger("koan_mcp_client")

NotificationHandler = Callable[[JsonObject], Any]  # may return an awaitable
RequestHandler = Callable[[JsonObject], Any]  # params -> result (or awaitable); raise RpcError to refuse
ProgressHandler = Callable[[Progress], Any]
VERSION = "0.1.0"


async def _empty_result(params: JsonObject) -> JsonObject:
    return {}


class AsyncKoanMcpClient:
    """MCP client. `url` is …/mcp (Streamable HTTP) or …/mcp/sse (legacy HTTP+SSE); `transport` overrides the guess.

    `token`: a bearer token, or provider(force_refresh) -> token (sync or async), asked again after a 401.
    `retry`: backoff for connecting, re-connecting after a dropped stream or lost session, and resuming streams.
    `reconnect`: when the session is lost, open a new one (in the background for a dropped legacy stream, and
    before the next request otherwise). Requests in flight when it happens fail with ConnectionClosedError; they
    are never re-sent, since the server may have run them. A request refused with 404 (session gone) or a refused
    connection was not run, and is sent again on the new session.
    """

    def __init__(self, url: str, *, transport: str | None = None, token: TokenSource = None,
                 retry: RetryPolicy | None = None, reconnect: bool = True, request_timeout: float = 60.0,
                 http_timeout: float = 30.0, protocol_version: str = PROTOCOL_VERSION,
                 client_info: JsonObject | None = None, capabilities: JsonObject | None = None,
                 on_notification: NotificationHandler | None = None,
                 request_handlers: dict[str, RequestHandler] | None = None,
                 on_reconnect: Callable[[InitializeResult], Any] | None = None, headers: dict[str, str] | None = None,
                 ssl_context: ssl.SSLContext | None = None):
        self.url = url
        self._transport_class = transport_for(url, transport)
        self.transport_kind: str = self._transport_class.kind
        self.retry = retry or RetryPolicy()
        self.reconnect = reconnect
        self.request_timeout = request_timeout
        self.requested_version = protocol_version
        self.client_info = client_info or {"name": "koan-mcp-client-python", "version": VERSION}
        self.capabilities = capabilities or {}
        self.on_notification = on_notification
        self.request_handlers = dict(request_handlers or {})  # server-to-client requests, e.g. sampling/createMessage
        self.on_reconnect = on_reconnect  # called after a lost session was replaced by a new one
        self._http = HttpClient(as_auth(token), http_timeout, ssl_context, headers)
        self._transport: Optional[Transport] = None
        self._pending: dict[Any, tuple[asyncio.Future, Transport]] = {}
        self._progress: dict[str, ProgressHandler] = {}
        self._ids = itertools.count(1)
        self._connect_lock: asyncio.Lock | None = None
        self._background: set[asyncio.Task] = set()
        self._connected_once = False
        self._closed = False
        self.initialize_result: InitializeResult | None = None
        self.sessions_opened = 0  # 1 after connect(); grows with every reconnection

    # --- state -------------------------------------------------------------------------------------------
    @property
    def session_id(self) -> str | None:
        return self._transport.session_id if self._transport else None

    @property
    def protocol_version(self) -> str | None:
        return (self.initialize_result or {}).get("protocolVersion")

    @property
    def server_info(self) -> JsonObject | None:
        return (self.initialize_result or {}).get("serverInfo")

    @property
    def server_capabilities(self) -> JsonObject | None:
        return (self.initialize_result or {}).get("capabilities")

    @property
    def connected(self) -> bool:
        return self._transport is not None

    # --- lifecycle ---------------------------------------------------------------------------------------
    async def connect(self) -> InitializeResult:
        """Opens a session (initialize + notifications/initialized), retrying transient failures with backoff.

        Retried: refused or broken connections, 5xx/429 (after Retry-After), streams that end during the handshake.
        Not retried: AuthError, RpcError and other 4xx, which another attempt would not fix.
        """
        self._closed = False
        self._connect_lock = self._connect_lock or asyncio.Lock()
        async with self._connect_lock:
            return await self._connect_with_retry()

    async def _connect_with_retry(self) -> InitializeResult:
        last: BaseException | None = None
        for attempt in range(self.retry.attempts):
            if attempt:
                hint = last.retry_after if isinstance(last, HttpError) else None
                delay = self.retry.delay(attempt - 1, hint)
                log.info("connecting to %s failed (%s); attempt %d in %.2f s", self.url, last, attempt + 1, delay)
                await asyncio.sleep(delay)
            if self._closed:
                raise ConnectionClosedError("client closed")
            try:
                return await self._open_session()
            except (RpcError, AuthError, ProtocolError):
                raise
            except HttpError as err:
                if not err.retryable:
                    raise
                last = err
            except (ConnectionClosedError, *NETWORK_ERRORS) as err:
                if isinstance(err, TimeoutError):  # our own request timeout: the server is up but did not answer
                    raise
                last = err
        if isinstance(last, HttpError):
            raise last  # keep the status (503, 429…) for the caller
        raise ConnectionClosedError(f"could not connect to {self.url} after {self.retry.attempts} attempts: {last!r}")

    async def _open_session(self) -> InitializeResult:
        transport = self._transport_class(self.url, self._http, self._dispatch,
                                          lambda err, rid: self._transport_error(transport, err, rid), self.retry)
        try:
            await transport.start()
            result = await self._exchange(transport, "initialize", {
                "protocolVersion": self.requested_version, "capabilities": self.capabilities,
                "clientInfo": self.client_info}, self.request_timeout, None)
            version = result.get("protocolVersion")
            if version not in SUPPORTED_PROTOCOL_VERSIONS:
                raise ProtocolError(f"the server answered protocol version {version!r}, which this client does not speak")
            transport.protocol_version = version
            await transport.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        except BaseException:
            await transport.close()
            raise
        old, self._transport = self._transport, transport
        if old is not None:
            await old.close()
        self.initialize_result = result
        reconnected = self._connected_once
        self._connected_once = True
        self.sessions_opened += 1
        if reconnected and self.on_reconnect:
            self._call(self.on_reconnect, result)
        return result

    async def close(self) -> None:
        """Ends the session (DELETE on Streamable HTTP, stream closed on legacy) and fails what is in flight."""
        self._closed = True
        for task in list(self._background):
            task.cancel()
        transport, self._transport = self._transport, None
        self._fail_pending(ConnectionClosedError("client closed"), None)
        if transport:
            await transport.close()

    async def __aenter__(self) -> "AsyncKoanMcpClient":
        await self.connect()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # --- requests ----------------------------------------------------------------------------------------
    async def request(self, method: str, params: JsonObject | None = None, *, timeout: float | None = None,
                      on_progress: ProgressHandler | None = None) -> Any:
        """Sends a JSON-RPC request and returns its result; a JSON-RPC error raises RpcError."""
        refused = 0
        resent = False
        while True:
            transport = await self._session()
            try:
                return await self._exchange(transport, method, params, timeout or self.request_timeout, on_progress)
            except SessionLostError:
                # Raised by send(): the server never saw this request, so sending it on a new session is safe.
                if transport is self._transport:
                    self._transport = None
                    await transport.close()
                if not self.reconnect or resent:
                    raise
                resent = True
            except ConnectionRefusedError as err:  # nobody listening (e.g. a restart): nothing was sent either
                if not self.reconnect or refused + 1 >= self.retry.attempts:
                    raise ConnectionClosedError(f"{method}: {self.url} refused the connection") from err
                await asyncio.sleep(self.retry.delay(refused))
                refused += 1
            except NETWORK_ERRORS as err:
                if isinstance(err, TimeoutError):
                    raise
                raise ConnectionClosedError(f"{method}: the connection broke: {err!r}") from err

    async def _session(self) -> Transport:
        """The live transport, opening a new session first when the last one was lost (and reconnect is on)."""
        if self._transport is not None:
            return self._transport
        if self._closed or not self._connected_once:
            raise ConnectionClosedError("not connected; call connect() first" if not self._closed else "client closed")
        if not self.reconnect:
            raise SessionLostError("the session was lost and reconnect is off")
        self._connect_lock = self._connect_lock or asyncio.Lock()
        async with self._connect_lock:
            if self._transport is None:
                await self._connect_with_retry()
        assert self._transport is not None
        return self._transport

    async def _exchange(self, transport: Transport, method: str, params: JsonObject | None, timeout: float,
                        on_progress: ProgressHandler | None) -> Any:
        rid = next(self._ids)
        message: JsonObject = {"jsonrpc": "2.0", "id": rid, "method": method}
        if on_progress is not None:
            token = f"progress-{rid}"
            params = {**(params or {}), "_meta": {**(params or {}).get("_meta", {}), "progressToken": token}}
            self._progress[token] = on_progress
        if params is not None:
            message["params"] = params
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[rid] = (future, transport)
        try:
            await transport.send(message)
            try:
                return await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                # MCP cancellation, so the server stops working on it (and sends no answer).
                try:
                    await transport.send({"jsonrpc": "2.0", "method": "notifications/cancelled",
                                          "params": {"requestId": rid, "reason": f"timed out after {timeout} s"}})
                except (KoanMcpError, *NETWORK_ERRORS):
                    pass
                raise TimeoutError(f"{method} got no answer within {timeout} s") from None
        finally:
            self._pending.pop(rid, None)
            if on_progress is not None:
                self._progress.pop(f"progress-{rid}", None)

    async def notify(self, method: str, params: JsonObject | None = None) -> None:
        """Sends a notification (no answer)."""
        message: JsonObject = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await (await self._session()).send(message)

    async def list_tools(self) -> list[Tool]:
        """All tools the caller may use (every page of tools/list)."""
        tools: list[Tool] = []
        cursor = None
        while True:
            page = await self.request("tools/list", {"cursor": cursor} if cursor else None)
            tools += page.get("tools", [])
            cursor = page.get("nextCursor")
            if not cursor:
                return tools

    async def call_tool(self, name: str, arguments: JsonObject | None = None, *, timeout: float | None = None,
                        on_progress: ProgressHandler | None = None, throw_on_tool_error: bool = False) -> CallToolResult:
        """Calls a tool. Domain failures (not found, invalid arguments) are results with isError true (ToolError
        with throw_on_tool_error); an unknown tool raises RpcError -32602, a forbidden one RpcError -32003."""
        result = await self.request("tools/call", {"name": name, "arguments": arguments or {}},
                                    timeout=timeout, on_progress=on_progress)
        if throw_on_tool_error and result.get("isError"):
            raise ToolError(name, result)
        return result

    async def ping(self) -> None:
        await self.request("ping")

    async def set_logging_level(self, level: str) -> None:
        """Asks for notifications/message at `level` and above (they reach on_notification)."""
        if level not in LOG_LEVELS:
            raise ValueError(f"level must be one of {', '.join(LOG_LEVELS)}")
        await self.request("logging/setLevel", {"level": level})

    # --- incoming messages -------------------------------------------------------------------------------
    def _dispatch(self, message: JsonObject) -> None:
        if "method" not in message:
            entry = self._pending.get(message.get("id"))
            if entry and not entry[0].done():
                error = message.get("error")
                if isinstance(error, dict):
                    entry[0].set_exception(RpcError(error.get("code", 0), error.get("message", ""), error.get("data")))
                else:
                    entry[0].set_result(message.get("result"))
        elif "id" in message:
            self._spawn(self._answer_server_request(message))
        else:
            if message["method"] == "notifications/progress":
                handler = self._progress.get(str((message.get("params") or {}).get("progressToken")))
                if handler:
                    self._call(handler, message.get("params") or {})
            if self.on_notification:
                self._call(self.on_notification, message)

    async def _answer_server_request(self, message: JsonObject) -> None:
        # ping must be answered; methods without a handler (sampling, elicitation, roots…) get -32601.
        method, rid = message["method"], message["id"]
        handler = self.request_handlers.get(method) or (_empty_result if method == "ping" else None)
        transport = self._transport
        try:
            if handler is None:
                raise RpcError(-32601, f"Method not found: {method}")
            params = message.get("params") or {}
            # Sync handlers run in a worker thread: one that calls an LLM must not stall the stream readers.
            result = handler(params) if inspect.iscoroutinefunction(handler) else await asyncio.to_thread(handler, params)
            reply: JsonObject = {"jsonrpc": "2.0", "id": rid, "result": await result if inspect.isawaitable(result) else result}
        except RpcError as err:
            reply = {"jsonrpc": "2.0", "id": rid, "error": {"code": err.code, "message": err.message}}
        except Exception as err:  # a failing handler still owes the server an answer
            log.exception("handler for %s failed", method)
            reply = {"jsonrpc": "2.0", "id": rid, "error": {"code": -32603, "message": f"client error: {err}"}}
        if transport is not None and transport is self._transport:
            try:
                await transport.send(reply)
            except (KoanMcpError, *NETWORK_ERRORS) as err:
                log.info("could not answer the server's %s: %r", method, err)

    def _call(self, handler: Callable[[Any], Any], value: Any) -> None:
        try:
            result = handler(value)
            if inspect.isawaitable(result):
                self._spawn(result)
        except Exception:  # a broken handler must not break the stream reader
            log.exception("notification handler failed")

    def _spawn(self, awaitable: Any) -> None:
        task = asyncio.ensure_future(awaitable)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # --- failures ----------------------------------------------------------------------------------------
    def _fail_pending(self, error: KoanMcpError, transport: Transport | None, request_id: Any = None) -> None:
        if isinstance(error, SessionLostError):
            # Not a SessionLostError for requests already sent: the server may have run them, never re-send.
            error = ConnectionClosedError(str(error))
        for rid, (future, sent_on) in list(self._pending.items()):
            if (transport is None or sent_on is transport) and (request_id is None or rid == request_id):
                if not future.done():
                    future.set_exception(error)

    def _transport_error(self, transport: Transport, error: KoanMcpError, request_id: Any) -> None:
        self._fail_pending(error, transport, request_id)
        if request_id is not None or transport is not self._transport:
            return
        log.info("session %s lost: %s", transport.session_id, error)
        if isinstance(error, SessionLostError) and error.reason == "token_expired":
            self._http.auth.expire()  # reconnecting with the cached token would only be cut off again
        self._transport = None
        self._spawn(transport.close())
        if self.reconnect and not self._closed:
            self._spawn(self._reconnect_in_background())

    async def _reconnect_in_background(self) -> None:
        try:
            await self._session()
        except KoanMcpError as err:  # the next request tries again
            log.warning("reconnecting to %s failed: %s", self.url, err)
