"""Typed errors. Every error the client raises is a KoanMcpError."""
from __future__ import annotations

import builtins
from typing import Any


class KoanMcpError(Exception):
    """Base class of every error raised by the client."""


class RpcError(KoanMcpError):
    """The server answered with a JSON-RPC error (-32601 unknown method, -32602 unknown tool, -32003 forbidden tool…)."""

    def __init__(self, code: int, message: str, data: Any = None):
        super().__init__(f"MCP error {code}: {message}")
        self.code = code
        self.message = message
        self.data = data


class HttpError(KoanMcpError):
    """An HTTP status the client cannot handle by itself. `body` is parsed JSON when possible, else text."""

    def __init__(self, status: int, body: Any = None, message: str | None = None, retry_after: float | None = None):
        super().__init__(message or f"HTTP {status}: {body}")
        self.status = status
        self.body = body
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        """Worth retrying later: overload (503), rate limiting (429) and other server-side failures."""
        return self.status >= 500 or self.status in (408, 429)


class AuthError(HttpError):
    """401 (even after asking the token provider for a fresh token) or 403 (e.g. insufficient_scope)."""

    def __init__(self, status: int, body: Any, www_authenticate: str | None):
        detail = f": {www_authenticate}" if www_authenticate else ""
        super().__init__(status, body, f"authorization failed (HTTP {status}){detail}")
        self.www_authenticate = www_authenticate

    @property
    def retryable(self) -> bool:
        return False


class ConnectionClosedError(KoanMcpError):
    """The connection or session went away; requests in flight at that moment fail with it."""


class SessionLostError(ConnectionClosedError):
    """The server no longer knows the session (404, or the stream ended with an `end` event).

    `reason` is koan-mcp's word for it when the stream said (token_expired, transport_disabled, server_shutdown,
    idle_timeout, deleted_by_client…)."""

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


# Also a builtins.TimeoutError, so `except TimeoutError` works whichever name is in scope.
class TimeoutError(KoanMcpError, builtins.TimeoutError):  # noqa: A001 - mirrors the TypeScript client's name
    """A request got no answer within its timeout (the client sent notifications/cancelled)."""


class ProtocolError(KoanMcpError):
    """The server broke the protocol: no endpoint event, a foreign endpoint origin, an unsupported version."""


class ToolError(KoanMcpError):
    """call_tool(…, throw_on_tool_error=True): the tool ran and answered isError (a domain failure)."""

    def __init__(self, tool: str, result: dict):
        text = " ".join(c.get("text", "") for c in result.get("content", []) if c.get("type") == "text").strip()
        super().__init__(f"tool {tool} failed" + (f": {text}" if text else ""))
        self.tool = tool
        self.result = result


class InputRequiredError(KoanMcpError):
    """The server asked for input (MRTR `input_required`) the client cannot give: no handler for the method,
    or more rounds than `max_input_rounds`. `result` is the server's last input_required result."""

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result


# The TypeScript client's names for the same errors.
McpClientError = KoanMcpError
SessionExpiredError = SessionLostError
