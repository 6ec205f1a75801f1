"""koan-mcp-client: MCP client for Koan MCP console (2026-07-28 stateless Streamable HTTP, with fallback to 2025-11-25
sessions and legacy HTTP+SSE), standard library only."""
from .aio import VERSION as __version__
from .aio import AsyncKoanMcpClient
from .auth import BearerAuth, TokenProvider
from .client import KoanMcpClient, SyncSubscription
from .errors import (AuthError, ConnectionClosedError, HttpError, InputRequiredError, KoanMcpError, McpClientError,
                     ProtocolError, RpcError, SessionExpiredError, SessionLostError, TimeoutError, ToolError)
from .modern import MODERN_VERSION, Subscription
from .retry import NO_RETRY, RetryPolicy
from .types import PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, CallToolResult, InitializeResult, Tool

__all__ = ["AsyncKoanMcpClient", "KoanMcpClient", "BearerAuth", "TokenProvider", "RetryPolicy", "NO_RETRY",
           "Subscription", "SyncSubscription", "MODERN_VERSION", "InputRequiredError", "KoanMcpError", "RpcError", "HttpError", "AuthError", "ConnectionClosedError", "SessionLostError",
           "TimeoutError", "ProtocolError", "ToolError", "McpClientError", "SessionExpiredError", "PROTOCOL_VERSION", "SUPPORTED_PROTOCOL_VERSIONS", "CallToolResult", "InitializeResult",
           "Tool", "__version__"]
