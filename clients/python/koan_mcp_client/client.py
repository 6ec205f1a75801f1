"""Synchronous client with the same surface as AsyncKoanMcpClient.

It drives an AsyncKoanMcpClient on a private event loop in a daemon thread, so one implementation serves both
and the sync client also keeps reading its streams (notifications, reconnection) between calls. Callbacks
(token provider, on_notification, on_progress) therefore run on that thread.
"""
from __future__ import annotations

import asyncio
import threading
from typing import Any, Coroutine, TypeVar

from .aio import AsyncKoanMcpClient, ProgressHandler
from .modern import Subscription
from .types import CallToolResult, InitializeResult, JsonObject, Tool

T = TypeVar("T")


class KoanMcpClient:
    """Blocking MCP client; takes the same options as AsyncKoanMcpClient (see there)."""

    def __init__(self, url: str, **options: Any):
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="koan-mcp-client", daemon=True)
        self._thread.start()
        self._async: AsyncKoanMcpClient = self._run(self._create(url, options))

    @staticmethod
    async def _create(url: str, options: dict[str, Any]) -> AsyncKoanMcpClient:
        return AsyncKoanMcpClient(url, **options)  # built on the loop it will run on

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if not self._thread.is_alive():
            coroutine.close()
            raise RuntimeError("the client is closed")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def __getattr__(self, name: str) -> Any:
        # Read-only state (session_id, server_info, protocol_version, transport_kind, sessions_opened, …).
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._async, name)

    @property
    def async_client(self) -> AsyncKoanMcpClient:
        return self._async

    def connect(self) -> InitializeResult:
        return self._run(self._async.connect())

    def request(self, method: str, params: JsonObject | None = None, *, timeout: float | None = None,
                on_progress: ProgressHandler | None = None) -> Any:
        return self._run(self._async.request(method, params, timeout=timeout, on_progress=on_progress))

    def notify(self, method: str, params: JsonObject | None = None) -> None:
        self._run(self._async.notify(method, params))

    def list_tools(self) -> list[Tool]:
        return self._run(self._async.list_tools())

    def call_tool(self, name: str, arguments: JsonObject | None = None, *, timeout: float | None = None,
                  on_progress: ProgressHandler | None = None, throw_on_tool_error: bool = False) -> CallToolResult:
        return self._run(self._async.call_tool(name, arguments, timeout=timeout, on_progress=on_progress,
                                               throw_on_tool_error=throw_on_tool_error))

    def list_prompts(self) -> list[JsonObject]:
        return self._run(self._async.list_prompts())

    def get_prompt(self, name: str, arguments: dict[str, str] | None = None) -> JsonObject:
        return self._run(self._async.get_prompt(name, arguments))

    def list_resources(self) -> list[JsonObject]:
        return self._run(self._async.list_resources())

    def list_resource_templates(self) -> list[JsonObject]:
        return self._run(self._async.list_resource_templates())

    def read_resource(self, uri: str) -> JsonObject:
        return self._run(self._async.read_resource(uri))

    def discover(self) -> JsonObject:
        return self._run(self._async.discover())

    def listen(self, **filter_and_timeout: Any) -> "SyncSubscription":
        """subscriptions/listen (see AsyncKoanMcpClient.listen); the notifications come from next()."""
        return SyncSubscription(self, self._run(self._async.listen(**filter_and_timeout)))

    def ping(self) -> None:
        self._run(self._async.ping())

    def set_logging_level(self, level: str) -> None:
        self._run(self._async.set_logging_level(level))

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._run(self._async.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()

    def __enter__(self) -> "KoanMcpClient":
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class SyncSubscription:
    """A listen subscription of the blocking client: next(timeout) waits for the next notification."""

    def __init__(self, client: KoanMcpClient, subscription: Subscription):
        self._client = client
        self.subscription = subscription

    def __getattr__(self, name: str) -> Any:
        # id, requested, honored, closed, ended_by_server, error
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.subscription, name)

    def next(self, timeout: float | None = None) -> JsonObject:
        return self._client._run(self.subscription.next(timeout))

    def close(self) -> None:
        self._client._run(self.subscription.close())

    def __enter__(self) -> "SyncSubscription":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
