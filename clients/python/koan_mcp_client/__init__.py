"""koan-mcp-client: MCP client for Koan MCP console (legacy HTTP+SSE and Streamable HTTP), standard library only."""
from .aio import VERSION as __version__
from .aio import AsyncKoanMcpClient
from .auth import BearerAuth, TokenProvider
from .client import KoanMcpClient
from .errors import (AuthError, ConnectionClosedError, HttpError, KoanMcpError, McpClientError, ProtocolError, RpcError,
                     SessionExpiredError, SessionLostError, TimeoutError, ToolError)
from .retry import NO_RETRY, RetryPolicy
from .types import PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, CallToolResult, InitializeResult, Tool

__all__ = ["AsyncKoanMcpClient", "KoanMcpClient", "BearerAuth", "TokenProvider", "RetryPolicy", "NO_RETRY",
           "KoanMcpError", "RpcError", "HttpError", "AuthError", "ConnectionClosedError", "SessionLostError",
           "TimeoutError", "ProtocolError", "ToolError", "McpClientError", "SessionExpiredError", "PROTOCOL_VERSION", "SUPPORTED_PROTOCOL_VERSIONS", "CallToolResult", "InitializeResult",
           "Tool", "__version__"]
