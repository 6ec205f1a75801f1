// Typed errors: callers tell protocol errors, HTTP failures, auth problems, network failures,
// timeouts and lost sessions apart with instanceof, and retry logic reads `retryable`.
import type { CallToolResult, JsonObject, JsonValue } from './types.js';

export class McpClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
  /** Whether trying again later may succeed (used by connect/reconnect backoff). */
  get retryable(): boolean {
    return false;
  }
}

/** The server answered a request with a JSON-RPC error (e.g. -32602 unknown tool, -32003 forbidden tool). */
export class RpcError extends McpClientError {
  constructor(readonly code: number, readonly rpcMessage: string, readonly data?: JsonValue) {
    super(`MCP error ${code}: ${rpcMessage}`);
  }
}

/** A non-success HTTP status. `body` is the parsed JSON body when there was one, else its text. */
export class HttpError extends McpClientError {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly retryAfterMs?: number,
    message?: string,
  ) {
    super(message ?? `HTTP ${status}`);
  }
  override get retryable(): boolean {
    return [408, 425, 429, 500, 502, 503, 504].includes(this.status);
  }
}

/** 401, or 403 with a Bearer challenge: missing, invalid, expired or insufficient credentials (after one refresh on 401). */
export class AuthError extends HttpError {
  constructor(status: number, body: unknown, readonly wwwAuthenticate: string | null) {
    super(status, body, undefined, `authentication failed (HTTP ${status})${wwwAuthenticate ? `: ${wwwAuthenticate}` : ''}`);
  }
  override get retryable(): boolean {
    return false;
  }
}

/** fetch() itself failed: connection refused or reset, DNS, or (in browsers) a CORS refusal. */
export class NetworkError extends McpClientError {
  override get retryable(): boolean {
    return true;
  }
}

/** The server broke the protocol (no endpoint event, unsupported version, foreign endpoint origin). */
export class ProtocolError extends McpClientError {}

/** A request got no answer within its timeout; the client sent notifications/cancelled. */
export class TimeoutError extends McpClientError {
  override get retryable(): boolean {
    return true;
  }
}

/** The session or stream ended before the answer arrived; the request may or may not have run. */
export class ConnectionClosedError extends McpClientError {
  /** The server's reason from its final `end` event (e.g. `token_expired`, `server_shutdown`), if it sent one. */
  reason?: string;

  override get retryable(): boolean {
    return true;
  }
}

/** The server no longer knows the session (HTTP 404): the request was not processed. */
export class SessionExpiredError extends ConnectionClosedError {}

/** The caller aborted the request through its AbortSignal. */
export class AbortedError extends McpClientError {}

/** callTool with throwOnToolError: the tool ran and answered `isError: true` (a domain failure). */
export class ToolError extends McpClientError {
  constructor(readonly tool: string, readonly result: CallToolResult) {
    const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join(' ').trim();
    super(`tool ${tool} failed${text ? `: ${text}` : ''}`);
  }
}

/**
 * The server asked for input (`input_required`, 2026-07-28) the client cannot give: no inputHandler
 * for the method, or more rounds than `maxInputRounds`. `result` is the server's last answer.
 */
export class InputRequiredError extends McpClientError {
  constructor(message: string, readonly result: JsonObject) {
    super(message);
  }
}
