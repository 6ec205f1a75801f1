// KoanMcpClient: connect (with backoff), initialize, list and call tools, ping, notifications;
// re-connects and re-initializes when the session is lost.
import type { TokenProvider } from './auth.js';
import {
  AbortedError, ConnectionClosedError, ProtocolError, RpcError, SessionExpiredError, TimeoutError, ToolError,
} from './errors.js';
import type { HttpOptions } from './http.js';
import { LegacySseTransport } from './legacy.js';
import { withRetry, type RetryOptions } from './retry.js';
import { StreamableHttpTransport } from './streamable.js';
import type { Transport, TransportHandlers } from './transport.js';
import {
  LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, isRequest, isResponse,
  type CallToolResult, type Implementation, type InitializeResult, type JsonObject, type JsonRpcMessage,
  type JsonRpcNotification, type ListToolsResult, type LoggingLevel, type ProgressParams, type RequestId,
  type ServerCapabilities, type Tool,
} from './types.js';

export const CLIENT_VERSION = '0.1.0';

export interface ClientOptions {
  /** `…/mcp` (Streamable HTTP) or `…/mcp/sse` (legacy HTTP+SSE). */
  url: string | URL;
  /** Default: legacy HTTP+SSE when the path ends with /sse, Streamable HTTP otherwise. */
  transport?: 'sse' | 'streamable';
  /** A fixed bearer token, or a provider asked again (forceRefresh) after a 401. */
  token?: string | TokenProvider;
  headers?: Record<string, string>;
  clientInfo?: Implementation;
  /** Offered in initialize (default the latest, 2025-11-25); the server may answer with an older one. */
  protocolVersion?: string;
  /** Default timeout of one request (default 60 s; progress notifications restart it). */
  requestTimeoutMs?: number;
  /** Time to get the legacy stream's endpoint event (default 10 s). */
  connectTimeoutMs?: number;
  /** Backoff for connect, reconnects and stream resumption. */
  retry?: RetryOptions;
  /** Re-connect and re-initialize when the session is lost (default true). */
  reconnect?: boolean;
  onNotification?: (notification: JsonRpcNotification) => void;
  /** Called before each backoff delay (connect and reconnect). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Called after a lost session was replaced by a new one. */
  onReconnect?: (result: InitializeResult) => void;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Receives notifications/progress for this request (sets `_meta.progressToken`). */
  onProgress?: (progress: ProgressParams) => void;
}

export interface CallToolOptions extends RequestOptions {
  /** Throw ToolError for a result with `isError: true` instead of returning it. */
  throwOnToolError?: boolean;
}

interface Pending {
  method: string;
  resolve: (value: JsonObject) => void;
  reject: (error: Error) => void;
  arm: () => void;
  disarm: () => void;
  onProgress?: (progress: ProgressParams) => void;
}

export class KoanMcpClient {
  private transport?: Transport;
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly progress = new Map<string | number, RequestId>();
  private readonly listeners = new Set<(n: JsonRpcNotification) => void>();
  private reconnecting?: Promise<InitializeResult>;
  private closed = false;
  private initialized?: InitializeResult;
  private tokenExpired = false;

  constructor(private readonly options: ClientOptions) {
    if (options.onNotification) this.listeners.add(options.onNotification);
  }

  get transportKind(): 'sse' | 'streamable' {
    return this.options.transport ?? (new URL(this.options.url).pathname.replace(/\/$/, '').endsWith('/sse') ? 'sse' : 'streamable');
  }
  get sessionId(): string | undefined { return this.transport?.sessionId; }
  get connected(): boolean { return !!this.transport && !!this.initialized; }
  get protocolVersion(): string | undefined { return this.initialized?.protocolVersion; }
  get serverInfo(): Implementation | undefined { return this.initialized?.serverInfo; }
  get serverCapabilities(): ServerCapabilities | undefined { return this.initialized?.capabilities; }
  get instructions(): string | undefined { return this.initialized?.instructions; }

  /** Listens to server notifications (progress, logging, list_changed, …); returns an unsubscribe function. */
  onNotification(listener: (n: JsonRpcNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Connects and initializes, retrying transient failures (network, 5xx, 429) with backoff. */
  async connect(): Promise<InitializeResult> {
    this.closed = false;
    return withRetry(() => this.connectOnce(), this.options.retry, this.options.onRetry);
  }

  private async connectOnce(): Promise<InitializeResult> {
    if (this.closed) throw new ConnectionClosedError('client closed');
    const url = new URL(this.options.url);
    const token = this.options.token;
    // After the server ended the session with token_expired, the cached token is known to be dead.
    const provider: TokenProvider | undefined = typeof token === 'function'
      ? (force) => { const stale = this.tokenExpired; this.tokenExpired = false; return token(force || stale); }
      : undefined;
    const http: HttpOptions = { token: provider ?? token, headers: this.options.headers, fetch: this.options.fetch };
    // Handlers ignore a transport that has been replaced, so a late event cannot hit the new session.
    let transport: Transport;
    const handlers: TransportHandlers = {
      message: (m) => { if (transport === this.transport) this.dispatch(m); },
      closed: (error) => { if (transport === this.transport) this.lost(error); },
      lost: (ids, error) => { for (const id of ids) this.settle(id)?.reject(error); },
    };
    transport = this.transportKind === 'sse'
      ? new LegacySseTransport(url, http, handlers, this.options.connectTimeoutMs)
      : new StreamableHttpTransport(url, http, handlers, this.options.retry);
    this.transport = transport;
    try {
      await transport.start();
      const result = (await this.send(transport, 'initialize', {
        protocolVersion: this.options.protocolVersion ?? LATEST_PROTOCOL_VERSION,
        capabilities: {},
        clientInfo: { ...(this.options.clientInfo ?? { name: '@koan/mcp-client', version: CLIENT_VERSION }) },
      })) as unknown as InitializeResult;
      if (!(SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(result.protocolVersion))
        throw new ProtocolError(`the server chose protocol version ${result.protocolVersion}, which this client does not support`);
      transport.protocolVersion = result.protocolVersion;
      await transport.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
      this.initialized = result;
      return result;
    } catch (err) {
      if (this.transport === transport) this.transport = undefined;
      await transport.close().catch(() => {});
      throw err;
    }
  }

  /** Sends a request and resolves with its result; rejects with RpcError, TimeoutError, … */
  async request(method: string, params?: JsonObject, options: RequestOptions = {}): Promise<JsonObject> {
    const transport = await this.ready();
    try {
      return await this.send(transport, method, params, options);
    } catch (err) {
      // 404 for the session: the server never saw this request, so it is safe to send it again.
      if (!(err instanceof SessionExpiredError) || this.options.reconnect === false || this.closed) throw err;
      return this.send(await this.ready(), method, params, options);
    }
  }

  /** All tools, following `nextCursor` pages. */
  async listTools(options?: RequestOptions): Promise<Tool[]> {
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = (await this.request('tools/list', cursor ? { cursor } : undefined, options)) as unknown as ListToolsResult;
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor);
    return tools;
  }

  /** Calls a tool. A domain failure is a result with `isError: true` (or a ToolError with throwOnToolError). */
  async callTool<T extends JsonObject = JsonObject>(name: string, args: JsonObject = {}, options: CallToolOptions = {})
    : Promise<CallToolResult<T>> {
    const result = (await this.request('tools/call', { name, arguments: args }, options)) as unknown as CallToolResult<T>;
    if (result.isError && options.throwOnToolError) throw new ToolError(name, result);
    return result;
  }

  async ping(options?: RequestOptions): Promise<void> {
    await this.request('ping', undefined, options);
  }

  /** Asks the server to send notifications/message at or above `level`. */
  async setLoggingLevel(level: LoggingLevel): Promise<void> {
    await this.request('logging/setLevel', { level });
  }

  /** Ends the session (DELETE on Streamable HTTP, closing the stream on legacy SSE). */
  async close(): Promise<void> {
    this.closed = true;
    this.failPending(new ConnectionClosedError('client closed'));
    const transport = this.transport;
    this.transport = undefined;
    this.initialized = undefined;
    await transport?.close();
  }

  /** The transport to send on: waits for a reconnect in progress, or starts one after a loss. */
  private async ready(): Promise<Transport> {
    if (this.closed) throw new ConnectionClosedError('client closed');
    if (this.reconnecting) await this.reconnecting;
    if (!this.transport && this.initialized && this.options.reconnect !== false) await this.reconnect();
    if (!this.transport || !this.initialized) throw new ConnectionClosedError('not connected: call connect() first');
    return this.transport;
  }

  private reconnect(): Promise<InitializeResult> {
    this.reconnecting ??= withRetry(() => this.connectOnce(), this.options.retry, this.options.onRetry)
      .then((result) => { this.options.onReconnect?.(result); return result; })
      .finally(() => { this.reconnecting = undefined; });
    return this.reconnecting;
  }

  private lost(error: Error) {
    this.transport = undefined;
    if (error instanceof ConnectionClosedError && error.reason === 'token_expired') this.tokenExpired = true;
    this.failPending(error);
    if (this.closed || this.options.reconnect === false) return;
    // In the background, so notifications resume without waiting for the next request;
    // a failure here is retried by the next request.
    this.reconnect().catch(() => {});
  }

  private send(transport: Transport, method: string, params?: JsonObject, options: RequestOptions = {}): Promise<JsonObject> {
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    const message = { jsonrpc: '2.0' as const, id, method, params: params ? { ...params } : undefined };
    const cancel = (reason: string) =>
      transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }).catch(() => {});
    return new Promise<JsonObject>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => {
        this.settle(id);
        void cancel('aborted by the client');
        reject(new AbortedError(`${method} aborted`, { cause: options.signal?.reason }));
      };
      const pending: Pending = {
        method, resolve, reject,
        arm: () => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            this.settle(id);
            void cancel('timeout');
            reject(new TimeoutError(`${method} got no answer within ${timeoutMs} ms`));
          }, timeoutMs);
        },
        disarm: () => { clearTimeout(timer); options.signal?.removeEventListener('abort', onAbort); },
        onProgress: options.onProgress,
      };
      if (options.signal?.aborted) return reject(new AbortedError(`${method} aborted`, { cause: options.signal.reason }));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.onProgress) {
        const token = `${id}`;
        message.params = { ...message.params, _meta: { ...(message.params?._meta as JsonObject), progressToken: token } };
        this.progress.set(token, id);
      }
      this.pending.set(id, pending);
      pending.arm();
      transport.send(message).catch((err) => { this.settle(id); reject(err); });
    });
  }

  /** Forgets a pending request and returns it (undefined when already settled). */
  private settle(id: RequestId): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    p.disarm();
    this.pending.delete(id);
    for (const [token, owner] of this.progress) if (owner === id) this.progress.delete(token);
    return p;
  }

  private dispatch(message: JsonRpcMessage) {
    if (isResponse(message)) {
      const p = message.id === null ? undefined : this.settle(message.id);
      if (!p) return; // late answer to a request that timed out or was aborted
      if (message.error) p.reject(new RpcError(message.error.code, message.error.message, message.error.data));
      else p.resolve(message.result ?? {});
    } else if (isRequest(message)) {
      // This client offers no sampling, elicitation or roots; it answers pings.
      const reply = message.method === 'ping'
        ? { jsonrpc: '2.0' as const, id: message.id, result: {} }
        : { jsonrpc: '2.0' as const, id: message.id, error: { code: -32601, message: `Method not found: ${message.method}` } };
      this.transport?.send(reply).catch(() => {});
    } else {
      if (message.method === 'notifications/progress') {
        const params = message.params as unknown as ProgressParams;
        const owner = this.progress.get(params.progressToken);
        const p = owner === undefined ? undefined : this.pending.get(owner);
        if (p) { p.arm(); p.onProgress?.(params); } // progress shows the request is alive
      }
      for (const listener of this.listeners) {
        try { listener(message); } catch { /* a listener's bug must not break the stream */ }
      }
    }
  }

  private failPending(error: Error) {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }
}
