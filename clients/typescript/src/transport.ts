// What the client needs from a transport: start a session, send messages, hear back.
import type { JsonRpcMessage, RequestId } from './types.js';

export interface TransportHandlers {
  /** Every message from the server, in order per stream. */
  message(message: JsonRpcMessage): void;
  /** The session is gone (stream ended, server forgot it); the client reconnects if allowed. */
  closed(error: Error): void;
  /** These requests will get no answer: their stream dropped and could not be resumed. */
  lost(ids: RequestId[], error: Error): void;
}

export interface Transport {
  readonly kind: 'sse' | 'streamable';
  readonly sessionId?: string;
  /** Set by the client after initialize; Streamable HTTP sends it as MCP-Protocol-Version. */
  protocolVersion?: string;
  /** Opens what the transport needs before the first message (the legacy SSE stream). */
  start(): Promise<void>;
  /** `headers`: extra HTTP headers of this message (the 2026-07-28 transport's Mcp-Param-*). */
  send(message: JsonRpcMessage, headers?: Record<string, string>): Promise<void>;
  /** Ends the session (DELETE for Streamable HTTP) and every stream. */
  close(): Promise<void>;
}

export function parseMessages(data: string): JsonRpcMessage[] {
  if (!data.trim()) return []; // priming event (SEP-1699): only an id for resumption
  const parsed = JSON.parse(data) as JsonRpcMessage | JsonRpcMessage[];
  return Array.isArray(parsed) ? parsed : [parsed];
}
