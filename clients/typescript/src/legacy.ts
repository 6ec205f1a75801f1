// Legacy HTTP+SSE (2024-11-05): GET a stream, POST to the URL of its `endpoint` event, read the
// answers on the stream. The session lives as long as the stream; there is no resumption.
import { ConnectionClosedError, HttpError, ProtocolError, SessionExpiredError, TimeoutError } from './errors.js';
import { authorizedFetch, type HttpOptions } from './http.js';
import { readSse, type SseEvent } from './sse.js';
import { parseMessages, type Transport, type TransportHandlers } from './transport.js';
import type { JsonRpcMessage } from './types.js';

export class LegacySseTransport implements Transport {
  readonly kind = 'sse' as const;
  sessionId?: string;
  protocolVersion?: string;
  private endpoint?: URL;
  private readonly abort = new AbortController();
  private closing = false;

  constructor(
    private readonly url: URL,
    private readonly http: HttpOptions,
    private readonly handlers: TransportHandlers,
    private readonly connectTimeoutMs = 10_000,
  ) {}

  async start(): Promise<void> {
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; this.abort.abort(); }, this.connectTimeoutMs);
    try {
      const response = await authorizedFetch(this.url, { headers: { Accept: 'text/event-stream' }, signal: this.abort.signal }, this.http);
      if (!response.body) throw new ProtocolError('the SSE response has no body');
      const events = readSse(response.body);
      const first = await events.next();
      if (first.done || first.value.event !== 'endpoint')
        throw new ProtocolError('the server did not start the stream with an endpoint event');
      const endpoint = new URL(first.value.data, this.url);
      // Never send the bearer token to a host the user did not configure.
      if (endpoint.origin !== this.url.origin) throw new ProtocolError(`endpoint ${endpoint} is on another origin`);
      this.endpoint = endpoint;
      this.sessionId = endpoint.searchParams.get('sessionId') ?? response.headers.get('x-mcp-session') ?? undefined;
      void this.pump(events);
    } catch (err) {
      this.abort.abort();
      if (timedOut) throw new TimeoutError(`no endpoint event within ${this.connectTimeoutMs} ms`, { cause: err });
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  private async pump(events: AsyncGenerator<SseEvent>) {
    let text = 'the server closed the stream';
    let reason: string | undefined;
    try {
      for await (const e of events) {
        if (e.event === 'end') { // {"reason":"token_expired" | "server_shutdown" | "transport_disabled" | …}
          text = `the server ended the stream: ${e.data}`;
          try { reason = JSON.parse(e.data).reason; } catch { /* free text */ }
        }
        if (e.event !== 'message') continue;
        for (const m of parseMessages(e.data)) this.handlers.message(m);
      }
    } catch (err) {
      text = `the stream broke: ${(err as Error)?.message ?? err}`;
    }
    if (this.closing) return;
    const error = new ConnectionClosedError(text);
    error.reason = reason;
    this.handlers.closed(error);
  }

  async send(message: JsonRpcMessage): Promise<void> {
    if (!this.endpoint || this.closing) throw new ConnectionClosedError('the legacy SSE session is not open');
    try {
      const r = await authorizedFetch(this.endpoint, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(message), signal: this.abort.signal,
      }, this.http);
      await r.body?.cancel().catch(() => {});
    } catch (err) {
      if (err instanceof HttpError && err.status === 404) {
        const gone = new SessionExpiredError('the server no longer knows this session', { cause: err });
        this.handlers.closed(gone);
        throw gone;
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    this.abort.abort(); // closing the stream ends the session on the server
  }
}
