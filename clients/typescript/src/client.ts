// KoanMcpClient: finds the server's era (server/discover, else initialize, else legacy SSE),
// then lists and calls tools, reads resources, gets prompts, listens for changes and answers the
// server's questions (MRTR rounds in 2026-07-28, server requests in 2025); in the 2025 era it
// re-connects and re-initializes when the session is lost.
import type { TokenProvider } from './auth.js';
import {
  AbortedError, AuthError, ConnectionClosedError, HttpError, InputRequiredError, ProtocolError, RpcError,
  SessionExpiredError, TimeoutError, ToolError,
} from './errors.js';
import type { HttpOptions } from './http.js';
import { LegacySseTransport } from './legacy.js';
import {
  INPUT_REQUIRED_METHODS, META, MODERN_ERROR_CODES, MODERN_PROTOCOL_VERSION, StatelessHttpTransport, Subscription,
  paramHeaders, paramMarks, type ParamMark, type SubscriptionFilter,
} from './modern.js';
import { withRetry, type RetryOptions } from './retry.js';
import { StreamableHttpTransport } from './streamable.js';
import type { Transport, TransportHandlers } from './transport.js';
import {
  LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS, isRequest, isResponse,
  type CallToolResult, type DiscoverResult, type GetPromptResult, type Implementation, type InitializeResult,
  type JsonObject, type JsonRpcMessage, type JsonRpcNotification, type JsonValue, type ListToolsResult,
  type LoggingLevel, type ProgressParams, type ReadResourceResult, type RequestId, type ServerCapabilities, type Tool,
} from './types.js';

/** `auto`: 2026-07-28 when server/discover offers it, else 2025 (Streamable HTTP, then legacy SSE). */
export type ProtocolEra = 'auto' | 'modern' | 'legacy';
/**
 * Answers the server's elicitation/create, sampling/createMessage and roots/list, whether a
 * 2026-07-28 server asks inside an `input_required` result or a 2025 server sends the request.
 * Throw an RpcError to refuse a 2025 request.
 */
export type InputHandler = (method: string, params: JsonObject) => JsonObject | Promise<JsonObject>;
const INPUT_METHODS = ['elicitation/create', 'sampling/createMessage', 'roots/list'];
/** A 4xx that says "no modern server here" rather than "not allowed" or "not now". */
const legacyStatus = (status: number) => status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
const endsWithSse = (url: URL) => url.pathname.replace(/\/$/, '').endsWith('/sse');

export const CLIENT_VERSION = '0.1.0';

export interface ClientOptions {
  /** `…/mcp` (Streamable HTTP) or `…/mcp/sse` (legacy HTTP+SSE). */
  url: string | URL;
  /** Default: legacy HTTP+SSE when the path ends with /sse, Streamable HTTP otherwise. */
  transport?: 'sse' | 'streamable';
  /**
   * `auto` (default): server/discover; 2026-07-28 stateless calls when the server offers it, else a
   * 2025 session on Streamable HTTP (initialize), else legacy HTTP+SSE (GET on the URL, then on
   * URL/sse). `modern`: 2026-07-28 or a ProtocolError. `legacy`: never asks. A 2025 `protocolVersion`,
   * `transport: 'sse'` or an …/sse URL mean `legacy`.
   */
  era?: ProtocolEra;
  /** Declared on every request (2026-07-28) or in initialize, e.g. `{ elicitation: {} }` (default none). */
  capabilities?: JsonObject;
  /** Answers the server's questions in either era; declare what it answers in `capabilities`. */
  inputHandler?: InputHandler;
  /** Most `input_required` rounds one request may take (default 8). */
  maxInputRounds?: number;
  /** A fixed bearer token, or a provider asked again (forceRefresh) after a 401. */
  token?: string | TokenProvider;
  headers?: Record<string, string>;
  clientInfo?: Implementation;
  /** Offered in initialize (default the latest, 2025-11-25); the server may answer with an older one. An older one than 2026-07-28 pins the legacy era. */
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
  /** Extra HTTP headers of this request (2026-07-28 only). */
  headers?: Record<string, string>;
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
  private readonly eraOption: ProtocolEra;
  private foundEra?: 'modern' | 'legacy';
  private legacyKind?: 'sse' | 'streamable';
  private legacyUrl?: URL;
  private logLevel?: LoggingLevel;
  private readonly subscriptions = new Map<RequestId, Subscription>();
  private readonly marks = new Map<string, ParamMark[]>();
  /** The last server/discover result (2026-07-28). */
  discoverResult?: DiscoverResult;
  /** `input_required` rounds answered so far. */
  inputRounds = 0;

  constructor(private readonly options: ClientOptions) {
    if (options.onNotification) this.listeners.add(options.onNotification);
    const url = new URL(options.url);
    const sse = options.transport === 'sse' || (!options.transport && endsWithSse(url));
    const version = options.protocolVersion;
    const legacyImplied = sse || (version !== undefined && version !== MODERN_PROTOCOL_VERSION);
    if (options.era === 'modern' && legacyImplied)
      throw new TypeError("era 'modern' needs Streamable HTTP and protocol version 2026-07-28");
    if (options.era === 'legacy' && version === MODERN_PROTOCOL_VERSION) throw new TypeError('2026-07-28 is the modern era');
    this.eraOption = legacyImplied ? 'legacy' : options.era ?? 'auto';
    if (this.eraOption === 'legacy') this.foundEra = 'legacy';
    if (options.transport || sse) { this.legacyKind = options.transport ?? 'sse'; this.legacyUrl = url; }
  }

  /** The server's era once connected: `modern` (2026-07-28, stateless) or `legacy` (a session). */
  get era(): 'modern' | 'legacy' | undefined { return this.foundEra; }
  get transportKind(): 'sse' | 'streamable' {
    return this.transport?.kind ?? this.legacyKind ?? 'streamable';
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

  /**
   * Connects, retrying transient failures (network, 5xx, 429) with backoff: server/discover for
   * 2026-07-28 (the result is given the shape of an InitializeResult), else initialize.
   */
  async connect(): Promise<InitializeResult> {
    this.closed = false;
    return withRetry(() => this.connectOnce(), this.options.retry, this.options.onRetry);
  }

  private async connectOnce(): Promise<InitializeResult> {
    if (this.closed) throw new ConnectionClosedError('client closed');
    const http = this.httpOptions();
    if (this.foundEra !== 'legacy') {
      const modern = await this.openModern(http);
      if (modern) return modern;
    }
    return this.openLegacy(http);
  }

  private httpOptions(): HttpOptions {
    const token = this.options.token;
    // After the server ended the session with token_expired, the cached token is known to be dead.
    const provider: TokenProvider | undefined = typeof token === 'function'
      ? (force) => { const stale = this.tokenExpired; this.tokenExpired = false; return token(force || stale); }
      : undefined;
    return { token: provider ?? token, headers: this.options.headers, fetch: this.options.fetch };
  }

  // Handlers ignore a transport that has been replaced, so a late event cannot hit the new session.
  private handlersFor(get: () => Transport): TransportHandlers {
    return {
      message: (m) => { if (get() === this.transport) this.dispatch(m); },
      closed: (error) => { if (get() === this.transport) this.lost(error); },
      lost: (ids, error) => {
        for (const id of ids) {
          const sub = this.subscriptions.get(id);
          if (sub) { this.subscriptions.delete(id); sub.end(error); } else this.settle(id)?.reject(error);
        }
      },
    };
  }

  /** server/discover; undefined when the server speaks only the legacy era. */
  private async openModern(http: HttpOptions): Promise<InitializeResult | undefined> {
    const url = new URL(this.options.url);
    const transport: StatelessHttpTransport = new StatelessHttpTransport(url, http, this.handlersFor(() => transport));
    this.transport = transport;
    let why: string;
    try {
      const result = (await this.send(transport, 'server/discover')) as unknown as DiscoverResult;
      if (result.supportedVersions?.includes(MODERN_PROTOCOL_VERSION)) {
        this.foundEra = 'modern';
        this.discoverResult = result;
        const serverInfo = (result._meta?.[META.serverInfo] ?? {}) as unknown as Implementation;
        this.initialized = {
          protocolVersion: MODERN_PROTOCOL_VERSION, capabilities: result.capabilities ?? {}, serverInfo,
          ...(result.instructions !== undefined ? { instructions: result.instructions } : {}),
        };
        return this.initialized;
      }
      why = `server/discover offered ${JSON.stringify(result.supportedVersions)}`;
    } catch (err) {
      const modernError = err instanceof RpcError && MODERN_ERROR_CODES.includes(err.code);
      const supported = err instanceof RpcError ? ((err.data as JsonObject | undefined)?.supported ?? []) as string[] : [];
      // A modern error says the server is modern: fall back only when it names a version we speak.
      const legacyNamed = err instanceof RpcError && err.code === -32022 && Array.isArray(supported)
        && supported.some((v) => (SUPPORTED_PROTOCOL_VERSIONS as readonly string[]).includes(v));
      const fallback = (err instanceof RpcError && (!modernError || legacyNamed))
        || (err instanceof HttpError && !(err instanceof AuthError) && legacyStatus(err.status));
      if (!fallback) {
        if (this.transport === transport) this.transport = undefined;
        await transport.close();
        throw err;
      }
      why = `server/discover: ${(err as Error).message}`;
    }
    if (this.transport === transport) this.transport = undefined;
    await transport.close();
    if (this.eraOption === 'modern')
      throw new ProtocolError(`${url} did not offer protocol version ${MODERN_PROTOCOL_VERSION} via server/discover (${why})`);
    this.foundEra = 'legacy';
    return undefined;
  }

  /** initialize on the known 2025 transport, or in turn: Streamable HTTP, legacy SSE at the URL, at URL/sse. */
  private async openLegacy(http: HttpOptions): Promise<InitializeResult> {
    if (this.legacyKind && this.legacyUrl) return this.initializeOn(this.legacyKind, this.legacyUrl, http);
    const url = new URL(this.options.url);
    const candidates: ['sse' | 'streamable', URL][] = [['streamable', url], ['sse', url]];
    if (!endsWithSse(url)) candidates.push(['sse', new URL(url.href.replace(/\/?$/, '/sse'))]);
    for (const [i, [kind, at]] of candidates.entries()) {
      const last = i === candidates.length - 1;
      try {
        const result = await this.initializeOn(kind, at, http);
        this.legacyKind = kind;
        this.legacyUrl = at;
        return result;
      } catch (err) {
        const refusal = err instanceof HttpError ? (err.body as { error?: JsonObject } | undefined)?.error : undefined;
        if (refusal && MODERN_ERROR_CODES.includes(refusal.code as number)) // a modern server refusing initialize
          throw new ProtocolError(`${at} does not speak the legacy era: ${refusal.message} (${JSON.stringify(refusal.data)}); use era 'auto' or 'modern'`, { cause: err });
        const next = (err instanceof HttpError && !(err instanceof AuthError) && legacyStatus(err.status))
          || (err instanceof ProtocolError && kind === 'sse');
        if (last || !next) throw err;
      }
    }
    throw new Error('unreachable');
  }

  private async initializeOn(kind: 'sse' | 'streamable', url: URL, http: HttpOptions): Promise<InitializeResult> {
    const transport: Transport = kind === 'sse'
      ? new LegacySseTransport(url, http, this.handlersFor(() => transport), this.options.connectTimeoutMs)
      : new StreamableHttpTransport(url, http, this.handlersFor(() => transport), this.options.retry);
    this.transport = transport;
    try {
      await transport.start();
      const result = (await this.send(transport, 'initialize', {
        protocolVersion: this.options.protocolVersion ?? LATEST_PROTOCOL_VERSION,
        capabilities: this.options.capabilities ?? {},
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

  /**
   * Sends a request and resolves with its result; rejects with RpcError, TimeoutError, …
   * In 2026-07-28 an `input_required` result (tools/call, prompts/get, resources/read) is answered:
   * each input request goes to `inputHandler`, and the request is sent again (a new id, the same
   * params, `inputResponses` and the server's exact `requestState`) until the result is complete.
   */
  async request(method: string, params?: JsonObject, options: RequestOptions = {}): Promise<JsonObject> {
    let result = await this.requestOnce(method, params, options);
    for (let rounds = 0; this.foundEra === 'modern' && INPUT_REQUIRED_METHODS.includes(method)
      && result.resultType === 'input_required'; ++rounds) {
      if (rounds >= (this.options.maxInputRounds ?? 8))
        throw new InputRequiredError(`${method}: still input_required after ${rounds} rounds`, result);
      const retry: JsonObject = { ...params };
      delete retry.inputResponses;
      delete retry.requestState;
      const asked = (result.inputRequests ?? {}) as Record<string, JsonObject>;
      if (Object.keys(asked).length) {
        const answers: JsonObject = {};
        for (const [key, ask] of Object.entries(asked)) answers[key] = await this.answerInput(method, result, ask);
        retry.inputResponses = answers;
      }
      if (result.requestState !== undefined) retry.requestState = result.requestState;
      this.inputRounds += 1;
      result = await this.requestOnce(method, retry, options);
    }
    return result;
  }

  private async answerInput(method: string, result: JsonObject, ask: JsonObject): Promise<JsonObject> {
    const asked = String(ask?.method);
    const handler = this.options.inputHandler;
    if (!handler || !INPUT_METHODS.includes(asked))
      throw new InputRequiredError(`${method}: the server asks for ${asked} and no inputHandler answers it`, result);
    return handler(asked, (ask.params ?? {}) as JsonObject);
  }

  private async requestOnce(method: string, params: JsonObject | undefined, options: RequestOptions): Promise<JsonObject> {
    const transport = await this.ready();
    try {
      return await this.send(transport, method, params, options);
    } catch (err) {
      // 404 for the session: the server never saw this request, so it is safe to send it again.
      if (!(err instanceof SessionExpiredError) || this.options.reconnect === false || this.closed) throw err;
      return this.send(await this.ready(), method, params, options);
    }
  }

  private async pages<T>(method: string, key: string, options?: RequestOptions): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(method, cursor ? { cursor } : undefined, options);
      items.push(...((page[key] ?? []) as unknown as T[]));
      cursor = page.nextCursor as string | undefined;
    } while (cursor);
    return items;
  }

  /**
   * All tools, following `nextCursor` pages. In 2026-07-28 a tool whose `x-mcp-header` marks break
   * the spec's rules is left out (with a console warning), as the spec requires.
   */
  async listTools(options?: RequestOptions): Promise<Tool[]> {
    const tools = await this.pages<Tool>('tools/list', 'tools' satisfies keyof ListToolsResult, options);
    if (this.foundEra !== 'modern') return tools;
    return tools.filter((tool) => {
      try {
        this.marks.set(tool.name, paramMarks(tool.inputSchema));
        return true;
      } catch (err) {
        console.warn(`@koan/mcp-client: ignoring tool ${tool.name}: ${(err as Error).message}`);
        return false;
      }
    });
  }

  /**
   * Calls a tool. A domain failure is a result with `isError: true` (or a ToolError with throwOnToolError).
   * In 2026-07-28 the arguments its schema marks with `x-mcp-header` go along as Mcp-Param-* headers.
   */
  async callTool<T extends JsonObject = JsonObject>(name: string, args: JsonObject = {}, options: CallToolOptions = {})
    : Promise<CallToolResult<T>> {
    const call = () => this.request('tools/call', { name, arguments: args }, { ...options, headers: this.paramHeaders(name, args, options) });
    let result: CallToolResult<T>;
    try {
      result = (await call()) as unknown as CallToolResult<T>;
    } catch (err) {
      // -32020: our Mcp-Param-* headers do not match the tool's schema (unseen or changed): list, then retry.
      if (!(err instanceof RpcError) || err.code !== -32020 || this.foundEra !== 'modern') throw err;
      await this.listTools();
      result = (await call()) as unknown as CallToolResult<T>;
    }
    if (result.isError && options.throwOnToolError) throw new ToolError(name, result);
    return result;
  }

  private paramHeaders(name: string, args: JsonObject, options: RequestOptions): Record<string, string> | undefined {
    const marks = this.foundEra === 'modern' ? this.marks.get(name) : undefined;
    return marks?.length ? { ...paramHeaders(marks, args), ...options.headers } : options.headers;
  }

  async listPrompts(options?: RequestOptions): Promise<JsonObject[]> {
    return this.pages('prompts/list', 'prompts', options);
  }

  async getPrompt(name: string, args: Record<string, string> = {}, options?: RequestOptions): Promise<GetPromptResult> {
    return (await this.request('prompts/get', { name, arguments: args }, options)) as unknown as GetPromptResult;
  }

  async listResources(options?: RequestOptions): Promise<JsonObject[]> {
    return this.pages('resources/list', 'resources', options);
  }

  async listResourceTemplates(options?: RequestOptions): Promise<JsonObject[]> {
    return this.pages('resources/templates/list', 'resourceTemplates', options);
  }

  /** resources/read; an unknown record is an RpcError (-32602 with `data.uri` in 2026-07-28, -32002 before). */
  async readResource(uri: string, options?: RequestOptions): Promise<ReadResourceResult> {
    return (await this.request('resources/read', { uri }, options)) as unknown as ReadResourceResult;
  }

  /** server/discover (2026-07-28): supported versions, capabilities, serverInfo in `_meta`. */
  async discover(options?: RequestOptions): Promise<DiscoverResult> {
    if (this.foundEra !== 'modern') throw new ProtocolError('server/discover is a 2026-07-28 request; this server speaks the legacy era');
    this.discoverResult = (await this.request('server/discover', undefined, options)) as unknown as DiscoverResult;
    return this.discoverResult;
  }

  /** ping; 2026-07-28 has none, so there it asks server/discover (which every modern server answers). */
  async ping(options?: RequestOptions): Promise<void> {
    if (this.foundEra === 'modern') await this.discover(options);
    else await this.request('ping', undefined, options);
  }

  /**
   * Asks the server to send notifications/message at or above `level`: logging/setLevel for a 2025
   * session, `_meta` logLevel on every later request in 2026-07-28 (messages come on its stream).
   */
  async setLoggingLevel(level: LoggingLevel): Promise<void> {
    if (this.foundEra === 'modern') this.logLevel = level;
    else await this.request('logging/setLevel', { level });
  }

  /**
   * Opens a subscriptions/listen stream (2026-07-28) and resolves once the server acknowledged it;
   * its notifications (resources/updated for the URIs, tools/list_changed, …) also reach onNotification.
   */
  async listen(filter: SubscriptionFilter, options: { timeoutMs?: number } = {}): Promise<Subscription> {
    const transport = await this.ready();
    if (!(transport instanceof StatelessHttpTransport))
      throw new ProtocolError('subscriptions/listen is a 2026-07-28 request; this server speaks the legacy era (use resources/subscribe there)');
    const id = this.nextId++;
    const sub = new Subscription(id, filter, (sid) => { this.subscriptions.delete(sid); transport.cancel(sid); });
    this.subscriptions.set(id, sub);
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await transport.send({ jsonrpc: '2.0', id, method: 'subscriptions/listen', params: this.modernParams({ notifications: { ...filter } as JsonObject }) });
      await Promise.race([sub.acknowledged, new Promise((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(`subscriptions/listen was not acknowledged within ${timeoutMs} ms`)), timeoutMs);
      })]);
    } catch (err) {
      await sub.close();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return sub;
  }

  /** Ends the session (DELETE on Streamable HTTP, closing the stream on legacy SSE) and every subscription. */
  async close(): Promise<void> {
    this.closed = true;
    for (const sub of this.subscriptions.values()) sub.end(new ConnectionClosedError('client closed'));
    this.subscriptions.clear();
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

  /** The request's own `_meta`: protocol version, client info and capabilities (and the log level asked for). */
  private modernParams(params?: JsonObject): JsonObject {
    const meta: JsonObject = {
      ...(params?._meta as JsonObject | undefined),
      [META.protocolVersion]: MODERN_PROTOCOL_VERSION,
      [META.clientInfo]: { ...(this.options.clientInfo ?? { name: '@koan/mcp-client', version: CLIENT_VERSION }) },
      [META.clientCapabilities]: this.options.capabilities ?? {},
    };
    if (this.logLevel) meta[META.logLevel] = this.logLevel;
    return { ...params, _meta: meta };
  }

  private send(transport: Transport, method: string, params?: JsonObject, options: RequestOptions = {}): Promise<JsonObject> {
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? 60_000;
    const stateless = transport instanceof StatelessHttpTransport;
    const message = { jsonrpc: '2.0' as const, id, method, params: stateless ? this.modernParams(params) : params ? { ...params } : undefined };
    // 2026-07-28 cancels by closing the request's stream; 2025 sends notifications/cancelled.
    const cancel = async (reason: string) => {
      if (stateless) transport.cancel(id);
      else await transport.send({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: id, reason } }).catch(() => {});
    };
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
      transport.send(message, stateless ? options.headers : undefined).catch((err) => { this.settle(id); reject(err); });
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
    const sub = isResponse(message) && message.id !== null ? this.subscriptions.get(message.id) : undefined;
    if (sub && isResponse(message)) {
      // The answer to subscriptions/listen ends it: a result is the server's graceful end.
      this.subscriptions.delete(sub.id);
      if (message.error) sub.end(new RpcError(message.error.code, message.error.message, message.error.data));
      else sub.end(undefined, true);
      return;
    }
    if (isResponse(message)) {
      const p = message.id === null ? undefined : this.settle(message.id);
      if (!p) return; // late answer to a request that timed out or was aborted
      if (message.error) p.reject(new RpcError(message.error.code, message.error.message, message.error.data));
      else p.resolve(message.result ?? {});
    } else if (isRequest(message)) {
      void this.answerServerRequest(message.id, message.method, message.params ?? {});
    } else {
      const sid = (message.params?._meta as JsonObject | undefined)?.[META.subscriptionId] as RequestId | undefined;
      const listening = sid === undefined ? undefined : this.subscriptions.get(sid);
      if (listening && message.method === 'notifications/subscriptions/acknowledged')
        return listening.handleAcknowledged(message.params ?? {});
      listening?.deliver(message);
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

  // 2025 server requests: pings, and what inputHandler answers (elicitation, sampling, roots); -32601 otherwise.
  private async answerServerRequest(id: RequestId, method: string, params: JsonObject) {
    const transport = this.transport;
    let reply: JsonRpcMessage;
    try {
      let result: JsonObject = {};
      if (method !== 'ping') {
        if (!this.options.inputHandler || !INPUT_METHODS.includes(method)) throw new RpcError(-32601, `Method not found: ${method}`);
        result = await this.options.inputHandler(method, params);
      }
      reply = { jsonrpc: '2.0', id, result };
    } catch (err) {
      const error = err instanceof RpcError
        ? { code: err.code, message: err.rpcMessage, ...(err.data !== undefined ? { data: err.data as JsonValue } : {}) }
        : { code: -32603, message: `client error: ${(err as Error)?.message ?? err}` };
      reply = { jsonrpc: '2.0', id, error };
    }
    if (transport && transport === this.transport) await transport.send(reply).catch(() => {});
  }

  private failPending(error: Error) {
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(error);
  }
}
