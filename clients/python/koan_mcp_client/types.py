"""Shapes of the MCP messages this client returns (TypedDicts: plain dicts at runtime)."""
from __future__ import annotations

from typing import Any, Dict, List, TypedDict

PROTOCOL_VERSION = "2025-11-25"
SUPPORTED_PROTOCOL_VERSIONS = ("2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05")
LOG_LEVELS = ("debug", "info", "notice", "warning", "error", "critical", "alert", "emergency")

JsonObject = Dict[str, Any]


class Implementation(TypedDict, total=False):
    name: str
    version: str
    title: str


class InitializeResult(TypedDict, total=False):
    protocolVersion: str
    capabilities: JsonObject
    serverInfo: Implementation
    instructions: str


class Tool(TypedDict, total=False):
    name: str
    title: str
    description: str
    inputSchema: JsonObject
    outputSchema: JsonObject
    annotations: JsonObject


class ContentItem(TypedDict, total=False):
    type: str  # text, image, audio, resource, resource_link
    text: str
    data: str
    mimeType: str
    resource: JsonObject


class CallToolResult(TypedDict, total=False):
    content: List[ContentItem]
    structuredContent: JsonObject
    isError: bool


class Progress(TypedDict, total=False):
    progressToken: Any
    progress: float
    total: float
    message: str
