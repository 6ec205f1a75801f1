// The stateless revision 2026-07-28 on Streamable HTTP: every request is its own POST carrying
// its `_meta` and the headers that mirror its body (MCP-Protocol-Version, Mcp-Method, Mcp-Name,
// Mcp-Param-*); the answer is JSON or an SSE stream of that request alone. No session, no
// resumption: closing a request's stream cancels it, which is also how a listen subscription ends.
import { ConnectionClosedError, HttpError, TimeoutError } from './errors.js';
import { authorizedFetch, type HttpOptions } from './http.js';
import { readSse } from './sse.js';
import { parseMessages, type Transport, type TransportHandlers } from './transport.js';
import {
  isRequest, type JsonObject, type JsonRpcMessage, type JsonRpcNotification, type JsonValue, type RequestId,
} from './types.js';

export const MODERN_PROTOCOL_VERSION = '2026-07-28';
export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;
/** Errors only a modern server gives: header mismatch, missing capability, unsupported version. */
export const MODERN_ERROR_CODES = [-32020, -32021, -32022];
/** The requests that may answer `input_required` (MRTR). */
export const INPUT_REQUIRED_METHODS = ['tools/call', 'prompts/get', 'resources/read'];
const NAMED: Record<string, 'name' | 'uri'> = { 'tools/call': 'name', 'prompts/get': 'name', 'resources/read': 'uri' };

/** A header value: plain when visible ASCII without surrounding blanks, else `=?base64?…?=`. */
export function headerValue(value: string): string {
  const plain = /^[\x20-\x7e]*$/.test(value) && value === value.replace(/^[ \t]+|[ \t]+$/g, '');
  if (plain && !(value.startsWith('=?base64?') && value.endsWith('?='))) return value;
  const bytes = new TextEncoder().encode(value);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `=?base64?${btoa(binary)}?=`;
}

/** MCP-Protocol-Version, Mcp-Method and (tools/call, prompts/get, resources/read) Mcp-Name from the body. */
export function requestHeaders(message: { method: string; params?: JsonObject }): Record<string, string> {
  const meta = (message.params?._meta ?? {}) as JsonObject;
  const headers: Record<string, string> = {
    'MCP-Protocol-Version': String(meta[META.protocolVersion] ?? MODERN_PROTOCOL_VERSION),
    'Mcp-Method': headerValue(message.method),
  };
  const field = NAMED[message.method];
  const name = field ? message.params?.[field] : undefined;
  if (typeof name === 'string') headers['Mcp-Name'] = headerValue(name);
  return headers;
}

export type ParamMark = { path: string[]; header: string };
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The `x-mcp-header` marks of a tool's inputSchema (through `properties` only); throws for a broken one. */
export function paramMarks(schema: JsonValue | undefined): ParamMark[] {
  const marks: ParamMark[] = [];
  const walk = (node: JsonValue | undefined, path: string[]) => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return;
    const name = node['x-mcp-header'];
    if (name !== undefined) {
      if (typeof name !== 'string' || !TOKEN.test(name)) throw new Error(`x-mcp-header ${JSON.stringify(name)} is not an HTTP token`);
      if (!['string', 'integer', 'boolean'].includes(node.type as string))
        throw new Error(`x-mcp-header ${name} is on a ${JSON.stringify(node.type)} property, not a string, integer or boolean`);
      if (marks.some((m) => m.header.toLowerCase() === name.toLowerCase())) throw new Error(`x-mcp-header ${name} appears twice`);
      marks.push({ path, header: name });
    }
    const props = node.properties;
    if (props && typeof props === 'object' && !Array.isArray(props))
      for (const [key, child] of Object.entries(props)) walk(child, [...path, key]);
  };
  walk(schema, []);
  return marks;
}

/** Mcp-Param-{Name} headers of one call; a missing or null value sends none. */
export function paramHeaders(marks: ParamMark[], args: JsonObject): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const { path, header } of marks) {
    let value: JsonValue | undefined = args;
    for (const key of path) value = value && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
    if (typeof value === 'string') headers[`Mcp-Param-${header}`] = headerValue(value);
    else if (typeof value === 'boolean') headers[`Mcp-Param-${header}`] = value ? 'true' : 'false';
    else if (typeof value === 'number' && Number.isInteger(value)) headers[`Mcp-Param-${header}`] = String(value);
  }
  return headers;
}

export class StatelessHttpTransport implements Transport {
  readonly kind = 'streamable' as const;
  readonly stateless = true;
  readonly sessionId = undefined;
  protocolVersion?: string = MODERN_PROTOCOL_VERSION;
  private readonly streams = new Map<RequestId, AbortController>();
  private closing = false;

  constructor(private readonly url: URL, private readonly http: HttpOptions, private readonly handlers: TransportHandlers) {}

  async start(): Promise<void> {}

  async send(message: JsonRpcMessage, headers: Record<string, string> = {}): Promise<void> {
    if (this.closing) throw new ConnectionClosedError('the transport is closed');
    const id = isRequest(message) ? message.id : undefined;
    const abort = new AbortController();
    if (id !== undefined) this.streams.set(id, abort);
    let response: Response;
    try {
      response = await authorizedFetch(this.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json', Accept: 'application/json, text/event-stream',
          ...('method' in message ? requestHeaders(message) : {}), ...headers,
        },
        body: JSON.stringify(message),
        signal: abort.signal,
      }, this.http);
    } catch (err) {
      if (id !== undefined) this.streams.delete(id);
      // 400 (-32020..-32022) and 404 (-32601) carry the request's JSON-RPC error: that is its answer.
      const body = err instanceof HttpError ? (err.body as { error?: { code?: unknown } } | undefined) : undefined;
      if (id === undefined || typeof body?.error?.code !== 'number') throw err;
      this.handlers.message({ ...(body as JsonObject), jsonrpc: '2.0', id } as JsonRpcMessage);
      return;
    }
    const type = response.headers.get('content-type') ?? '';
    if (id === undefined || response.status === 202 || !response.body) {
      if (id !== undefined) this.streams.delete(id);
      await response.body?.cancel().catch(() => {});
    } else if (type.startsWith('text/event-stream')) {
      void this.consume(response.body, id, abort);
    } else {
      this.streams.delete(id);
      for (const m of parseMessages(await response.text())) this.handlers.message(m);
    }
  }

  private async consume(body: ReadableStream<Uint8Array>, id: RequestId, abort: AbortController) {
    let why = 'the server closed the stream before the answer';
    try {
      for await (const e of readSse(body)) {
        if (e.event !== 'message') continue;
        for (const m of parseMessages(e.data)) {
          this.handlers.message(m);
          if ('id' in m && !('method' in m) && m.id === id) return;
        }
      }
    } catch (err) {
      why = `the stream broke: ${(err as Error)?.message ?? err}`;
    } finally {
      if (this.streams.get(id) === abort) this.streams.delete(id);
    }
    if (!this.closing && !abort.signal.aborted)
      this.handlers.lost([id], new ConnectionClosedError(`request ${id}: ${why} (2026-07-28 streams do not resume)`));
  }

  /** Closes the request's stream: its cancellation in this revision. False when it has none open. */
  cancel(id: RequestId): boolean {
    const abort = this.streams.get(id);
    if (!abort) return false;
    this.streams.delete(id);
    abort.abort();
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const id of [...this.streams.keys()]) this.cancel(id);
  }
}

export interface SubscriptionFilter {
  toolsListChanged?: boolean;
  promptsListChanged?: boolean;
  resourcesListChanged?: boolean;
  resourceSubscriptions?: string[];
}

/**
 * A `subscriptions/listen` stream. `honored` is the filter the server acknowledged; the
 * notifications come through `next()`, `for await`, or `onNotification`. It ends with `close()`
 * (the stream is closed, which tells the server), the server's final result (`endedByServer`),
 * or a dropped connection (`error`).
 */
export class Subscription implements AsyncIterable<JsonRpcNotification> {
  honored?: SubscriptionFilter;
  endedByServer = false;
  error?: Error;
  private ended = false;
  private readonly queue: (JsonRpcNotification | null)[] = [];
  private readonly waiters: (() => void)[] = [];
  private readonly listeners = new Set<(n: JsonRpcNotification) => void>();
  /** Settles with the acknowledgement (or the failure before it). */
  readonly acknowledged: Promise<SubscriptionFilter>;
  private acknowledge!: (filter: SubscriptionFilter) => void;
  private refuse!: (error: Error) => void;

  constructor(readonly id: RequestId, readonly requested: SubscriptionFilter, private readonly closer: (id: RequestId) => void) {
    this.acknowledged = new Promise((resolve, reject) => { this.acknowledge = resolve; this.refuse = reject; });
    this.acknowledged.catch(() => {}); // listen() reports it; nobody else has to
  }

  get closed(): boolean { return this.ended; }

  /** Listens to this subscription's notifications; returns an unsubscribe function. */
  onNotification(listener: (n: JsonRpcNotification) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @internal */
  handleAcknowledged(params: JsonObject) {
    this.honored = (params.notifications ?? {}) as SubscriptionFilter;
    this.acknowledge(this.honored);
  }

  /** @internal */
  deliver(n: JsonRpcNotification) {
    if (this.ended) return;
    this.queue.push(n);
    this.wake();
    for (const l of this.listeners) { try { l(n); } catch { /* a listener's bug must not end the stream */ } }
  }

  /** @internal */
  end(error?: Error, byServer = false) {
    if (this.ended) return;
    this.ended = true;
    this.error = error;
    this.endedByServer = byServer;
    this.refuse(error ?? new ConnectionClosedError('the subscription ended before its acknowledgement'));
    this.queue.push(null);
    this.wake();
  }

  private wake() { for (const w of this.waiters.splice(0)) w(); }

  /** The next notification; ConnectionClosedError once ended, TimeoutError after `timeoutMs` with none (it stays open). */
  async next(timeoutMs?: number): Promise<JsonRpcNotification> {
    if (!this.queue.length) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const arrived = new Promise<boolean>((resolve) => {
        this.waiters.push(() => resolve(true));
        if (timeoutMs !== undefined) timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const ok = await arrived;
      clearTimeout(timer);
      if (!ok && !this.queue.length) throw new TimeoutError(`no notification within ${timeoutMs} ms`);
    }
    const item = this.queue[0];
    if (item === null) {
      if (this.error && !(this.error instanceof ConnectionClosedError)) throw this.error;
      throw new ConnectionClosedError(this.error?.message
        ?? (this.endedByServer ? 'the server ended the subscription' : 'the subscription is closed'), { cause: this.error });
    }
    this.queue.shift();
    return item;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsonRpcNotification> {
    for (;;) {
      try { yield await this.next(); } catch (err) { if (err instanceof ConnectionClosedError) return; throw err; }
    }
  }

  /** Closes the stream; the server ends the subscription. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.closer(this.id);
    this.end();
  }
}
