// Streamable HTTP (2025-03-26+): every client message is a POST to one endpoint; a request is
// answered as JSON or on an SSE stream. A stream that drops before its answer is resumed with
// GET + Last-Event-ID (the server replays what was missed), with backoff.
import { ConnectionClosedError, HttpError, McpClientError, SessionExpiredError } from './errors.js';
import { authorizedFetch, type HttpOptions } from './http.js';
import { backoffDelay, sleep, type RetryOptions } from './retry.js';
import { readSse } from './sse.js';
import { parseMessages, type Transport, type TransportHandlers } from './transport.js';
import { isRequest, isResponse, type JsonRpcMessage, type RequestId } from './types.js';

export class StreamableHttpTransport implements Transport {
  readonly kind = 'streamable' as const;
  sessionId?: string;
  protocolVersion?: string;
  private readonly abort = new AbortController();
  private closing = false;

  constructor(
    private readonly url: URL,
    private readonly http: HttpOptions,
    private readonly handlers: TransportHandlers,
    private readonly retry: RetryOptions = {},
  ) {}

  async start(): Promise<void> {}

  private headers(extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    if (this.sessionId) h['Mcp-Session-Id'] = this.sessionId;
    if (this.protocolVersion) h['MCP-Protocol-Version'] = this.protocolVersion;
    return h;
  }

  async send(message: JsonRpcMessage): Promise<void> {
    if (this.closing) throw new ConnectionClosedError('the transport is closed');
    let response: Response;
    try {
      response = await authorizedFetch(this.url, {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' }),
        body: JSON.stringify(message),
        signal: this.abort.signal,
      }, this.http);
    } catch (err) {
      throw this.sessionGoneOr(err);
    }
    this.sessionId = response.headers.get('mcp-session-id') ?? this.sessionId;
    const type = response.headers.get('content-type') ?? '';
    if (response.status === 202 || !response.body) {
      await response.body?.cancel().catch(() => {});
    } else if (type.startsWith('text/event-stream')) {
      const awaiting = new Set<RequestId>(isRequest(message) ? [message.id] : []);
      void this.consume(response.body, awaiting);
    } else {
      for (const m of parseMessages(await response.text())) this.handlers.message(m);
    }
  }

  /** Reads one response stream; resumes it while requests on it are still unanswered. */
  private async consume(body: ReadableStream<Uint8Array>, awaiting: Set<RequestId>) {
    let lastEventId: string | undefined;
    let retryHint: number | undefined;
    let failure: unknown;
    for (let attempt = 0; ; ) {
      try {
        for await (const e of readSse(body)) {
          lastEventId = e.id ?? lastEventId;
          retryHint = e.retry ?? retryHint;
          attempt = 0; // the stream works again: a later drop starts the backoff anew
          if (e.event !== 'message') continue;
          for (const m of parseMessages(e.data)) {
            if (isResponse(m) && m.id !== null) awaiting.delete(m.id);
            this.handlers.message(m);
          }
        }
        failure = undefined;
      } catch (err) {
        failure = err;
      }
      if (this.closing || awaiting.size === 0) return;
      // Dropped before the answer: resume from the last event we saw, if the server gave ids.
      const lost = (why: string, cause?: unknown) =>
        this.handlers.lost([...awaiting], new ConnectionClosedError(`the response stream dropped (${why}); the request may or may not have run`, { cause }));
      if (lastEventId === undefined) return lost('no event id to resume from', failure);
      const next = await this.resume(lastEventId, retryHint, attempt, failure);
      if (next === 'closed') return;
      if ('error' in next) return lost(String((next.error as Error)?.message ?? next.error), next.error);
      body = next.body;
      attempt += 1;
    }
  }

  private async resume(lastEventId: string, retryHint: number | undefined, attempt: number, cause: unknown)
    : Promise<{ body: ReadableStream<Uint8Array> } | { error: unknown } | 'closed'> {
    const maxAttempts = this.retry.maxAttempts ?? 6;
    let error: unknown = cause;
    for (; attempt < maxAttempts; ++attempt) {
      await sleep(Math.min(this.retry.maxDelayMs ?? 10_000, Math.max(retryHint ?? 0, backoffDelay(attempt, this.retry))));
      if (this.closing) return 'closed';
      try {
        const r = await authorizedFetch(this.url, {
          headers: this.headers({ Accept: 'text/event-stream', 'Last-Event-ID': lastEventId }), signal: this.abort.signal,
        }, this.http);
        if (r.body) return { body: r.body };
      } catch (err) {
        error = this.sessionGoneOr(err);
        if (error instanceof SessionExpiredError) return { error };
        // 409: the server has not noticed the old connection is gone yet.
        const retryable = (error as McpClientError)?.retryable || (error instanceof HttpError && error.status === 409);
        if (!retryable) return { error };
      }
    }
    return { error };
  }

  // A 404 for a known session id: the server ended the session (restart, timeout, DELETE).
  private sessionGoneOr(err: unknown): unknown {
    if (err instanceof HttpError && err.status === 404 && this.sessionId) {
      this.sessionId = undefined;
      const gone = new SessionExpiredError('the server no longer knows this session', { cause: err });
      this.handlers.closed(gone);
      return gone;
    }
    return err;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.abort.abort();
    const id = this.sessionId;
    if (id) {
      this.sessionId = undefined;
      await authorizedFetch(this.url, { method: 'DELETE', headers: { 'Mcp-Session-Id': id } }, this.http).catch(() => {});
    }
  }
}
