"""asyncio client for koan-mcp: the stateless 2026-07-28 revision by default, falling back to 2025-11-25 sessions
on Streamable HTTP and to legacy HTTP+SSE against older servers."""
from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import ssl
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from .auth import TokenSource, as_auth
from .errors import (AuthError, ConnectionClosedError, HttpError, InputRequiredError, KoanMcpError, ProtocolError,
                     RpcError, SessionLostError, TimeoutError, ToolError)
from .modern import (CLIENT_CAPABILITIES_KEY, CLIENT_INFO_KEY, INPUT_REQUIRED_METHODS, LOG_LEVEL_KEY, MODERN_ERROR_CODES,
                     MODERN_VERSION, PROTOCOL_VERSION_KEY, SERVER_INFO_KEY, SUBSCRIPTION_ID_KEY, StatelessHttpTransport,
                     Subscription, param_header_values, param_headers, rpc_error_reply)
from .retry import RetryPolicy
from .transports import NETWORK_ERRORS, HttpClient, LegacySseTransport, StreamableHttpTransport, Transport, transport_for
from .types import (LOG_LEVELS, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, CallToolResult, InitializeResult,
                    JsonObject, Progress, Tool)

log = logging.getLogger("koan_mcp_client")

NotificationHandler = Callable[[JsonObject], Any]  # may return an awaitable
RequestHandler = Callable[[JsonObject], Any]  # params -> result (or awaitable); raise RpcError to refuse
ProgressHandler = Callable[[Progress], Any]
# (method, params) -> result (or awaitable): answers elicitation/create, sampling/createMessage and roots/list,
# whether a 2026-07-28 server asks inside an input_required result or a 2025 server sends the request.
InputHandler = Callable[[str, JsonObject], Any]
INPUT_METHODS = ("elicitation/create", "sampling/createMessage", "roots/list")
ERAS = ("auto", "modern", "legacy")
VERSION = "0.1.0"


async def _empty_result(params: JsonObject) -> JsonObject:
    return {}


def _legacy_status(status: int) -> bool:
    """A 4xx that says "not a modern server here" rather than "not allowed" or "not now"."""
    return 400 <= status < 500 and status not in (401, 403, 408, 429)


class AsyncKoanMcpClient:
    """MCP client. `url` is …/mcp (Streamable HTTP) or …/mcp/sse (legacy HTTP+SSE); `transport` overrides the guess.

    `era`: "auto" (default) asks server/discover and speaks the stateless 2026-07-28 revision when the server
    offers it, else falls back to a 2025-11-25 session on Streamable HTTP (initialize), then to legacy HTTP+SSE
    (GET on the URL, then on URL/sse); "modern" insists on 2026-07-28 (ProtocolError otherwise); "legacy" never
    asks. A `protocol_version` older than 2026-07-28, `transport="sse"` or an …/sse URL mean "legacy".
    `input_handler(method, params)`: answers the server's elicitation/sampling/roots questions in either era;
    declare what it answers in `capabilities` (e.g. {"elicitation": {}}).

    `token`: a bearer token, or provider(force_refresh) -> token (sync or async), asked again after a 401.
    `retry`: backoff for connecting, re-connecting after a dropped stream or lost session, and resuming streams.
    `reconnect`: when the session is lost, open a new one (in the background for a dropped legacy stream, and
    before the next request otherwise). Requests in flight when it happens fail with ConnectionClosedError; they
    are never re-sent, since the server may have run them. A request refused with 404 (session gone) or a refused
    connection was not run, and is sent again on the new session.
    """

    def __init__(self, url: str, *, transport: str | None = None, token: TokenSource = None,
                 retry: RetryPolicy | None = None, reconnect: bool = True, request_timeout: float = 60.0,
                 http_timeout: float = 30.0, protocol_version: str | None = None, era: str = "auto",
                 client_info: JsonObject | None = None, capabilities: JsonObject | None = None,
                 on_notification: NotificationHandler | None = None,
                 request_handlers: dict[str, RequestHandler] | None = None, input_handler: InputHandler | None = None,
                 max_input_rounds: int = 8,
                 on_reconnect: Callable[[InitializeResult], Any] | None = None, headers: dict[str, str] | None = None,
                 ssl_context: ssl.SSLContext | None = None):
        if era not in ERAS:
            raise ValueError(f"era must be one of {', '.join(ERAS)}")
        if transport is not None:
            transport_for(url, transport)  # validates the name
        guessed_sse = transport == "sse" or (transport is None and urlsplit(url).path.rstrip("/").endswith("/sse"))
        legacy_implied = guessed_sse or (protocol_version not in (None, MODERN_VERSION))
        if era == "modern" and legacy_implied:
            raise ValueError("era='modern' needs Streamable HTTP and protocol version 2026-07-28")
        if era == "legacy" and protocol_version == MODERN_VERSION:
            raise ValueError("2026-07-28 is the modern era")
        self.url = url
        self.era_option = "legacy" if legacy_implied else era
        # Learned at connect and kept (the era is a property of the server): "modern" or "legacy".
        self.era: str | None = "legacy" if self.era_option == "legacy" else None
        # The 2025 transport: pinned, guessed from an …/sse URL, or found by the fallback (then kept).
        self._transport_class: type | None = transport_for(url, transport) if transport or guessed_sse else None
        self._legacy_url = url
        self.transport_kind: str = "sse" if guessed_sse else "streamable"
        self.retry = retry or RetryPolicy()
        self.reconnect = reconnect
        self.request_timeout = request_timeout
        self.requested_version = protocol_version if protocol_version not in (None, MODERN_VERSION) else PROTOCOL_VERSION
        self.client_info = client_info or {"name": "koan-mcp-client-python", "version": VERSION}
        self.capabilities = capabilities or {}
        self.on_notification = on_notification
        self.request_handlers = dict(request_handlers or {})  # server-to-client requests, e.g. sampling/createMessage
        self.input_handler = input_handler
        self.max_input_rounds = max_input_rounds
        self.input_rounds = 0  # input_required rounds answered (observable for tests and logs)
        self.discover_result: JsonObject | None = None
        self._log_level: str | None = None  # 2026-07-28: sent as _meta logLevel on every request
        self._subscriptions: dict[Any, Subscription] = {}
        self._param_marks: dict[str, list] = {}  # tool -> its x-mcp-header (path, name) pairs
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
        if self.era != "legacy":
            opened = await self._open_modern()
            if opened is not None:
                return opened
        return await self._open_legacy()

    async def _open_modern(self) -> InitializeResult | None:
        """server/discover; None when the server turns out to speak only the legacy era."""
        transport = StatelessHttpTransport(self.url, self._http, self._dispatch,
                                           lambda err, rid: self._transport_error(transport, err, rid), self.retry)
        try:
            result = await self._exchange(transport, "server/discover", None, self.request_timeout, None)
            versions = result.get("supportedVersions") or []
            why = f"server/discover offered {versions}"
            offered = MODERN_VERSION in versions
        except RpcError as err:
            supported = (err.data or {}).get("supported", []) if isinstance(err.data, dict) else []
            # A modern error says the server is modern: fall back only when it names a version we speak.
            if err.code in MODERN_ERROR_CODES and not (err.code == -32022 and set(supported) & set(SUPPORTED_PROTOCOL_VERSIONS)):
                await transport.close()
                raise
            why, offered = f"server/discover answered {err}", False
        except HttpError as err:
            if isinstance(err, AuthError) or not _legacy_status(err.status):
                await transport.close()
                raise
            why, offered = f"server/discover got {err}", False
        except BaseException:
            await transport.close()
            raise
        if not offered:
            await transport.close()
            if self.era_option == "modern":
                raise ProtocolError(f"{self.url} did not offer protocol version {MODERN_VERSION} via server/discover ({why})")
            log.info("%s does not speak %s (%s): falling back to initialize", self.url, MODERN_VERSION, why)
            self.era = "legacy"
            return None
        self.era, self.discover_result, self.transport_kind = "modern", result, "streamable"
        info = {"protocolVersion": MODERN_VERSION, "capabilities": result.get("capabilities") or {},
                "serverInfo": (result.get("_meta") or {}).get(SERVER_INFO_KEY) or {}}
        if "instructions" in result:
            info["instructions"] = result["instructions"]
        return await self._opened(transport, info)  # type: ignore[arg-type]

    async def _open_legacy(self) -> InitializeResult:
        """initialize on the known 2025 transport, or in turn: Streamable HTTP, legacy SSE at the URL, at URL/sse."""
        if self._transport_class is not None:
            return await self._initialize(self._transport_class, self._legacy_url)
        candidates = [(StreamableHttpTransport, self.url), (LegacySseTransport, self.url)]
        if not urlsplit(self.url).path.rstrip("/").endswith("/sse"):
            candidates.append((LegacySseTransport, self.url.rstrip("/") + "/sse"))
        for i, (cls, url) in enumerate(candidates):
            last = i == len(candidates) - 1
            try:
                result = await self._initialize(cls, url)
            except HttpError as err:
                reply = rpc_error_reply(err.body)
                code = reply["error"]["code"] if reply else None
                if code in MODERN_ERROR_CODES:  # a modern server refusing initialize: no legacy era there
                    raise ProtocolError(f"{url} does not speak the legacy era: {reply['error'].get('message')} "
                                        f"({reply['error'].get('data')}); use era='auto' or 'modern'") from err
                if isinstance(err, AuthError) or not _legacy_status(err.status) or last:
                    raise
                log.info("%s via %s: %s; trying the next transport", url, cls.kind, err)
                continue
            except ProtocolError as err:  # not an SSE stream there
                if cls is not LegacySseTransport or last:
                    raise
                log.info("%s: %s; trying the next transport", url, err)
                continue
            self._transport_class, self._legacy_url = cls, url
            return result
        raise AssertionError("unreachable")

    async def _initialize(self, cls: type, url: str) -> InitializeResult:
        transport = cls(url, self._http, self._dispatch, lambda err, rid: self._transport_error(transport, err, rid),
                        self.retry)
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
        self.transport_kind = transport.kind
        return await self._opened(transport, result)

    async def _opened(self, transport: Transport | StatelessHttpTransport, result: InitializeResult) -> InitializeResult:
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
        """Ends the session (DELETE on Streamable HTTP, stream closed on legacy), closes listen subscriptions and
        fails what is in flight."""
        self._closed = True
        for task in list(self._background):
            task.cancel()
        for sub in list(self._subscriptions.values()):
            sub._end(ConnectionClosedError("client closed"))
        self._subscriptions.clear()
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
                      on_progress: ProgressHandler | None = None, headers: dict[str, str] | None = None) -> Any:
        """Sends a JSON-RPC request and returns its result; a JSON-RPC error raises RpcError.

        In the 2026-07-28 era an `input_required` result (tools/call, prompts/get, resources/read) is answered:
        each input request goes to `input_handler` (or a `request_handlers` entry for its method), and the request
        is sent again, with a new id, the same params, `inputResponses` and the server's exact `requestState`,
        until the result is complete. `headers`: extra HTTP headers of this request (2026-07-28 only)."""
        result = await self._request(method, params, timeout, on_progress, headers)
        rounds = 0
        while (self.era == "modern" and method in INPUT_REQUIRED_METHODS and isinstance(result, dict)
               and result.get("resultType") == "input_required"):
            if rounds >= self.max_input_rounds:
                raise InputRequiredError(f"{method}: still input_required after {rounds} rounds", result)
            rounds += 1
            retry = {k: v for k, v in (params or {}).items() if k not in ("inputResponses", "requestState")}
            asked = result.get("inputRequests") or {}
            if asked:
                retry["inputResponses"] = {key: await self._answer_input(method, result, ask)
                                           for key, ask in asked.items()}
            if "requestState" in result:
                retry["requestState"] = result["requestState"]
            self.input_rounds += 1
            result = await self._request(method, retry, timeout, on_progress, headers)
        return result

    async def _answer_input(self, method: str, result: JsonObject, ask: Any) -> Any:
        asked = ask.get("method") if isinstance(ask, dict) else None
        handler = self._input_handler_for(asked)
        if handler is None:
            raise InputRequiredError(f"{method}: the server asks for {asked} and no input_handler answers it", result)
        return await self._run_handler(handler, ask.get("params") or {})

    def _input_handler_for(self, method: Any) -> RequestHandler | None:
        if method in self.request_handlers:
            return self.request_handlers[method]
        if method in INPUT_METHODS and self.input_handler is not None:
            handler = self.input_handler
            if inspect.iscoroutinefunction(handler):
                async def answer(params: JsonObject) -> Any:
                    return await handler(method, params)
                return answer
            return lambda params: handler(method, params)
        return None

    @staticmethod
    async def _run_handler(handler: RequestHandler, params: JsonObject) -> Any:
        # Sync handlers run in a worker thread: one that asks a user or an LLM must not stall the stream readers.
        result = handler(params) if inspect.iscoroutinefunction(handler) else await asyncio.to_thread(handler, params)
        return await result if inspect.isawaitable(result) else result

    async def _request(self, method: str, params: JsonObject | None, timeout: float | None,
                       on_progress: ProgressHandler | None, headers: dict[str, str] | None) -> Any:
        refused = 0
        resent = False
        while True:
            transport = await self._session()
            try:
                return await self._exchange(transport, method, params, timeout or self.request_timeout, on_progress,
                                            headers)
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

    def _modern_params(self, params: JsonObject | None) -> JsonObject:
        """The request's own _meta: protocol version, client info and capabilities (and the log level asked for)."""
        params = dict(params or {})
        meta = {**(params.get("_meta") or {}), PROTOCOL_VERSION_KEY: MODERN_VERSION, CLIENT_INFO_KEY: self.client_info,
                CLIENT_CAPABILITIES_KEY: self.capabilities}
        if self._log_level:
            meta[LOG_LEVEL_KEY] = self._log_level
        params["_meta"] = meta
        return params

    async def _exchange(self, transport: Transport | StatelessHttpTransport, method: str, params: JsonObject | None,
                        timeout: float, on_progress: ProgressHandler | None, headers: dict[str, str] | None = None) -> Any:
        rid = next(self._ids)
        message: JsonObject = {"jsonrpc": "2.0", "id": rid, "method": method}
        stateless = isinstance(transport, StatelessHttpTransport)
        if on_progress is not None:
            token = f"progress-{rid}"
            params = {**(params or {}), "_meta": {**(params or {}).get("_meta", {}), "progressToken": token}}
            self._progress[token] = on_progress
        if stateless:
            params = self._modern_params(params)
        if params is not None:
            message["params"] = params
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._pending[rid] = (future, transport)
        async def round_trip() -> Any:
            await (transport.send(message, headers) if stateless else transport.send(message))
            return await future
        try:
            try:
                if stateless:  # the POST itself may be the slow part (a JSON answer comes when it is done)
                    return await asyncio.wait_for(round_trip(), timeout)
                await transport.send(message)
                return await asyncio.wait_for(future, timeout)
            except asyncio.TimeoutError:
                # Cancellation, so the server stops working on it: 2026-07-28 closes the request's stream,
                # 2025 sends notifications/cancelled.
                if stateless:
                    transport.cancel(rid)
                else:
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

    async def _pages(self, method: str, key: str, params: JsonObject | None = None) -> list[JsonObject]:
        items: list[JsonObject] = []
        cursor = None
        while True:
            page = await self.request(method, {**(params or {}), **({"cursor": cursor} if cursor else {})} or None)
            items += page.get(key, [])
            cursor = page.get("nextCursor")
            if not cursor:
                return items

    async def list_tools(self) -> list[Tool]:
        """All tools the caller may use (every page of tools/list). In the 2026-07-28 era a tool whose
        `x-mcp-header` annotations break the spec's rules is left out (with a warning), as the spec requires."""
        tools = await self._pages("tools/list", "tools")
        if self.era != "modern":
            return tools  # type: ignore[return-value]
        kept: list[Tool] = []
        for tool in tools:
            try:
                self._param_marks[tool["name"]] = param_headers(tool.get("inputSchema") or {})
            except ValueError as err:
                log.warning("ignoring tool %s: %s", tool.get("name"), err)
                continue
            kept.append(tool)  # type: ignore[arg-type]
        return kept

    async def call_tool(self, name: str, arguments: JsonObject | None = None, *, timeout: float | None = None,
                        on_progress: ProgressHandler | None = None, throw_on_tool_error: bool = False) -> CallToolResult:
        """Calls a tool. Domain failures (not found, invalid arguments) are results with isError true (ToolError
        with throw_on_tool_error); an unknown tool raises RpcError -32602, a forbidden one RpcError -32003.
        In the 2026-07-28 era the arguments its schema marks with `x-mcp-header` go along as Mcp-Param-* headers."""
        arguments = arguments or {}
        params = {"name": name, "arguments": arguments}
        try:
            result = await self.request("tools/call", params, timeout=timeout, on_progress=on_progress,
                                        headers=self._param_headers(name, arguments))
        except RpcError as err:
            # -32020: our Mcp-Param-* headers do not match the tool's schema (unseen or changed): list, then retry.
            if err.code != -32020 or self.era != "modern":
                raise
            await self.list_tools()
            result = await self.request("tools/call", params, timeout=timeout, on_progress=on_progress,
                                        headers=self._param_headers(name, arguments))
        if throw_on_tool_error and result.get("isError"):
            raise ToolError(name, result)
        return result

    def _param_headers(self, name: str, arguments: JsonObject) -> dict[str, str] | None:
        marks = self._param_marks.get(name) if self.era == "modern" else None
        return param_header_values(marks, arguments) if marks else None

    async def list_prompts(self) -> list[JsonObject]:
        return await self._pages("prompts/list", "prompts")

    async def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> JsonObject:
        return await self.request("prompts/get", {"name": name, "arguments": arguments or {}})

    async def list_resources(self) -> list[JsonObject]:
        return await self._pages("resources/list", "resources")

    async def list_resource_templates(self) -> list[JsonObject]:
        return await self._pages("resources/templates/list", "resourceTemplates")

    async def read_resource(self, uri: str) -> JsonObject:
        """resources/read; an unknown record raises RpcError (-32602 with data.uri in 2026-07-28, -32002 before)."""
        return await self.request("resources/read", {"uri": uri})

    async def discover(self) -> JsonObject:
        """server/discover (2026-07-28): supported versions, capabilities, serverInfo in _meta."""
        if self.era != "modern":
            raise ProtocolError("server/discover is a 2026-07-28 request; this server speaks the legacy era")
        self.discover_result = await self.request("server/discover")
        return self.discover_result

    async def ping(self) -> None:
        """ping; 2026-07-28 has no ping, so there it asks server/discover (which every modern server answers)."""
        if self.era == "modern":
            await self.discover()
        else:
            await self.request("ping")

    async def set_logging_level(self, level: str) -> None:
        """Asks for notifications/message at `level` and above (they reach on_notification). 2025: logging/setLevel
        for the session; 2026-07-28: `_meta` logLevel on every later request (messages come on its stream)."""
        if level not in LOG_LEVELS:
            raise ValueError(f"level must be one of {', '.join(LOG_LEVELS)}")
        if self.era == "modern" or (self.era is None and self.era_option == "modern"):
            self._log_level = level
        else:
            await self.request("logging/setLevel", {"level": level})

    async def listen(self, *, tools_list_changed: bool = False, prompts_list_changed: bool = False,
                     resources_list_changed: bool = False, resource_subscriptions: list[str] | tuple[str, ...] = (),
                     timeout: float | None = None) -> Subscription:
        """Opens a subscriptions/listen stream (2026-07-28) and returns once the server acknowledged it.

        The Subscription yields the notifications asked for (`notifications/resources/updated` for the URIs,
        `notifications/tools/list_changed`, …); `honored` is the part of the filter the server agreed to."""
        transport = await self._session()
        if not isinstance(transport, StatelessHttpTransport):
            raise ProtocolError("subscriptions/listen is a 2026-07-28 request; this server speaks the legacy era "
                                "(use resources/subscribe there)")
        wanted: JsonObject = {}
        for key, on in (("toolsListChanged", tools_list_changed), ("promptsListChanged", prompts_list_changed),
                        ("resourcesListChanged", resources_list_changed)):
            if on:
                wanted[key] = True
        if resource_subscriptions:
            wanted["resourceSubscriptions"] = list(resource_subscriptions)
        rid = next(self._ids)

        def closer(sid: Any) -> None:
            self._subscriptions.pop(sid, None)
            transport.cancel(sid)
        sub = Subscription(rid, wanted, closer)
        self._subscriptions[rid] = sub
        message = {"jsonrpc": "2.0", "id": rid, "method": "subscriptions/listen",
                   "params": self._modern_params({"notifications": wanted})}
        try:
            await transport.send(message)
            await asyncio.wait_for(asyncio.shield(sub._acknowledged), timeout or self.request_timeout)
        except asyncio.TimeoutError:
            await sub.close()
            raise TimeoutError(f"subscriptions/listen was not acknowledged within {timeout or self.request_timeout} s") from None
        except BaseException:
            await sub.close()
            raise
        return sub

    # --- incoming messages -------------------------------------------------------------------------------
    def _dispatch(self, message: JsonObject) -> None:
        if "method" not in message and message.get("id") in self._subscriptions:
            # The answer to subscriptions/listen ends it: a result is the server's graceful end.
            sub = self._subscriptions.pop(message["id"])
            error = message.get("error")
            sub._end(RpcError(error.get("code", 0), error.get("message", ""), error.get("data"))
                     if isinstance(error, dict) else None, by_server=not isinstance(error, dict))
            return
        if "method" in message and "id" not in message:
            sid = ((message.get("params") or {}).get("_meta") or {}).get(SUBSCRIPTION_ID_KEY)
            sub = self._subscriptions.get(sid) if sid is not None else None
            if sub is not None:
                if message["method"] == "notifications/subscriptions/acknowledged":
                    return sub._acknowledge(message.get("params") or {})
                sub._deliver(message)
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
        handler = self._input_handler_for(method) or (_empty_result if method == "ping" else None)
        transport = self._transport
        try:
            if handler is None:
                raise RpcError(-32601, f"Method not found: {method}")
            reply: JsonObject = {"jsonrpc": "2.0", "id": rid,
                                 "result": await self._run_handler(handler, message.get("params") or {})}
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
        if request_id in self._subscriptions:
            self._subscriptions.pop(request_id)._end(error)
            return
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
