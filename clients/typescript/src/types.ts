// JSON-RPC 2.0 and the MCP messages this client sends and reads (revisions 2024-11-05 .. 2026-07-28).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export type RequestId = string | number;

export interface JsonRpcRequest { jsonrpc: '2.0'; id: RequestId; method: string; params?: JsonObject }
export interface JsonRpcNotification { jsonrpc: '2.0'; method: string; params?: JsonObject }
export interface JsonRpcErrorObject { code: number; message: string; data?: JsonValue }
export interface JsonRpcResponse { jsonrpc: '2.0'; id: RequestId | null; result?: JsonObject; error?: JsonRpcErrorObject }
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** The newest version offered in `initialize` (the legacy era; 2026-07-28 has no initialize). */
export const LATEST_PROTOCOL_VERSION = '2025-11-25';
/** The versions of the legacy era (initialize and a session). */
export const SUPPORTED_PROTOCOL_VERSIONS = ['2025-11-25', '2025-06-18', '2025-03-26', '2024-11-05'] as const;
export type ProtocolVersion = (typeof SUPPORTED_PROTOCOL_VERSIONS)[number];

/** JSON-RPC error codes used by MCP servers (koan-mcp among them). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerError: -32000,
  SessionNotFound: -32001,
  Forbidden: -32003,
  /** 2026-07-28: HTTP headers missing or not matching the body. */
  HeaderMismatch: -32020,
  /** 2026-07-28: the request needs a client capability it did not declare. */
  MissingRequiredClientCapability: -32021,
  /** 2026-07-28: `data.supported` names the versions the server speaks. */
  UnsupportedProtocolVersion: -32022,
} as const;

export interface Implementation { name: string; version: string; title?: string }

export interface ServerCapabilities {
  tools?: { listChanged?: boolean };
  resources?: { subscribe?: boolean; listChanged?: boolean };
  prompts?: { listChanged?: boolean };
  logging?: JsonObject;
  completions?: JsonObject;
  [key: string]: JsonValue | undefined;
}

export interface InitializeResult {
  protocolVersion: string;
  capabilities: ServerCapabilities;
  serverInfo: Implementation;
  instructions?: string;
}

export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface Tool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: JsonObject & { type: 'object' };
  outputSchema?: JsonObject;
  annotations?: ToolAnnotations;
}

export interface ListToolsResult { tools: Tool[]; nextCursor?: string }

export interface TextContent { type: 'text'; text: string }
export interface ImageContent { type: 'image'; data: string; mimeType: string }
export interface AudioContent { type: 'audio'; data: string; mimeType: string }
export interface EmbeddedResource {
  type: 'resource';
  resource: { uri: string; mimeType?: string; text?: string; blob?: string };
}
export interface ResourceLink { type: 'resource_link'; uri: string; name: string; mimeType?: string; description?: string }
export type ContentBlock = TextContent | ImageContent | AudioContent | EmbeddedResource | ResourceLink;

export interface CallToolResult<T extends JsonObject = JsonObject> {
  content: ContentBlock[];
  /** 2026-07-28: `complete` (an `input_required` result is answered by the client before it returns). */
  resultType?: string;
  structuredContent?: T;
  /** A domain failure (not found, invalid arguments): the tool ran and said no. */
  isError?: boolean;
}

/** What `server/discover` answers (2026-07-28). */
export interface DiscoverResult {
  supportedVersions: string[];
  capabilities: ServerCapabilities;
  instructions?: string;
  ttlMs?: number;
  cacheScope?: 'public' | 'private';
  _meta?: JsonObject;
}

export interface ResourceContents { uri: string; mimeType?: string; text?: string; blob?: string }
export interface ReadResourceResult { contents: ResourceContents[]; _meta?: JsonObject; resultType?: string }
export interface PromptMessage { role: 'user' | 'assistant'; content: ContentBlock }
export interface GetPromptResult { description?: string; messages: PromptMessage[]; resultType?: string }

export interface ProgressParams { progressToken: string | number; progress: number; total?: number; message?: string }

export type LoggingLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error' | 'critical' | 'alert' | 'emergency';
export interface LoggingMessageParams { level: LoggingLevel; logger?: string; data: JsonValue }

export function isResponse(m: JsonRpcMessage): m is JsonRpcResponse {
  return 'id' in m && !('method' in m);
}

export function isRequest(m: JsonRpcMessage): m is JsonRpcRequest {
  return 'id' in m && 'method' in m;
}

export function isNotification(m: JsonRpcMessage): m is JsonRpcNotification {
  return !('id' in m) && 'method' in m;
}
