"""The example CLI: `koan-mcp-client list` and `koan-mcp-client call TOOL key=value …`.

Exit codes: 0 success, 1 the tool answered isError, 2 usage, 3 protocol/HTTP/connection error, 4 authorization.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from typing import Any

from . import KoanMcpClient
from .errors import AuthError, KoanMcpError
from .retry import RetryPolicy


def parse_value(text: str) -> Any:
    """JSON when it parses (numbers, booleans, null, objects, arrays, "quoted"), else the text as a string."""
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_arguments(pairs: list[str]) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"argument {pair!r} is not key=value")
        arguments[key] = parse_value(value)
    return arguments


def command_token_provider(command: str):
    """A token provider that runs `command` (e.g. `koan-mcp token --sub me --scope …`) whenever a token is needed:
    at start, and again after a 401."""
    def provide(force_refresh: bool) -> str:
        return subprocess.run(shlex.split(command), check=True, capture_output=True, text=True).stdout.strip()
    return provide


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="koan-mcp-client", description="List and call the tools of a koan-mcp server.")
    p.add_argument("--url", default=os.environ.get("KOAN_MCP_URL", "http://127.0.0.1:5114/mcp"),
                   help="…/mcp for Streamable HTTP, …/mcp/sse for legacy HTTP+SSE "
                        "(default: $KOAN_MCP_URL or http://127.0.0.1:5114/mcp)")
    p.add_argument("--transport", choices=("streamable", "sse"), help="override the transport guessed from the URL")
    p.add_argument("--era", choices=("auto", "modern", "legacy"), default="auto",
                   help="auto: 2026-07-28 when server/discover offers it, else 2025-11-25 (default); "
                        "modern: 2026-07-28 only; legacy: initialize and a session")
    auth = p.add_mutually_exclusive_group()
    auth.add_argument("--token", default=os.environ.get("KOAN_TOKEN"), help="bearer token (default: $KOAN_TOKEN)")
    auth.add_argument("--token-command", help="command printing a bearer token; run again after a 401")
    p.add_argument("--retries", type=int, default=3, help="connection attempts (default 3)")
    p.add_argument("--timeout", type=float, default=60.0, help="request timeout in seconds (default 60)")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the tools this caller may use")
    call = sub.add_parser("call", help="call a tool; values are JSON when they parse as JSON, else strings")
    call.add_argument("tool")
    call.add_argument("arguments", nargs="*", metavar="key=value")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        arguments = parse_arguments(a.arguments) if a.command == "call" else {}
    except ValueError as err:
        parser.error(str(err))
    if a.era == "modern" and (a.transport == "sse" or a.url.rstrip("/").endswith("/sse")):
        parser.error("--era modern needs Streamable HTTP (legacy HTTP+SSE is a 2024-11-05 transport)")
    token = command_token_provider(a.token_command) if a.token_command else a.token
    try:
        with KoanMcpClient(a.url, transport=a.transport, era=a.era, token=token, retry=RetryPolicy(attempts=max(1, a.retries)),
                           request_timeout=a.timeout) as client:
            if a.command == "list":
                for tool in client.list_tools():
                    print(f"{tool['name']:<36} {tool.get('description', '')}")
                return 0
            result = client.call_tool(a.tool, arguments)
            shown = result.get("structuredContent", result.get("content"))
            print(json.dumps(shown, indent=2, ensure_ascii=False))
            if result.get("isError"):
                print(f"error: {a.tool} failed (isError)", file=sys.stderr)
                return 1
            return 0
    except BrokenPipeError:  # e.g. `| head`: not an error worth a traceback
        sys.stderr.close()
        return 0
    except AuthError as err:
        print(f"error: {err}", file=sys.stderr)
        return 4
    except (KoanMcpError, subprocess.CalledProcessError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 3
