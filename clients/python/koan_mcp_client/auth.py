"""Bearer tokens: a fixed string, or a provider callback asked again (force_refresh=True) after a 401."""
from __future__ import annotations

import asyncio
import inspect
from typing import Awaitable, Callable, Optional, Union

# provider(force_refresh) -> token; may be sync or async. Sync providers run in a worker thread, so one that
# shells out (e.g. `koan-mcp token`) or calls an identity provider never blocks the event loop.
TokenProvider = Callable[[bool], Union[Optional[str], Awaitable[Optional[str]]]]
TokenSource = Union[str, TokenProvider, "BearerAuth", None]


class BearerAuth:
    """Caches the provider's token; `refresh()` after a 401 asks for a new one once, however many requests failed."""

    def __init__(self, provider: str | TokenProvider | None):
        self._provider = provider
        self._token: str | None = provider if isinstance(provider, str) else None
        self._generation = 0
        self._lock: asyncio.Lock | None = None
        self._force_next = False

    @property
    def can_refresh(self) -> bool:
        return callable(self._provider)

    async def token(self) -> tuple[str | None, int]:
        """The current token and its generation (pass the generation to refresh())."""
        if self._token is None and callable(self._provider):
            await self._ask(self._force_next, self._generation)
        return self._token, self._generation

    def expire(self) -> None:
        """The server said the token expired (e.g. a stream ended with reason token_expired): the next token()
        asks the provider for a fresh one instead of trying the cached one first."""
        if callable(self._provider):
            self._token = None
            self._force_next = True

    async def refresh(self, failed_generation: int) -> str | None:
        """Asks for a fresh token unless another request already did since `failed_generation` was handed out."""
        if callable(self._provider):
            await self._ask(True, failed_generation)
        return self._token

    async def _ask(self, force: bool, generation: int) -> None:
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if generation != self._generation or (not force and self._token is not None):
                return
            if inspect.iscoroutinefunction(self._provider):
                value = await self._provider(force)
            else:
                value = await asyncio.to_thread(self._provider, force)
                if inspect.isawaitable(value):
                    value = await value
            self._token = value
            self._generation += 1
            self._force_next = False


def as_auth(source: TokenSource) -> BearerAuth:
    return source if isinstance(source, BearerAuth) else BearerAuth(source)
