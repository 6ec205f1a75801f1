// Server-Sent Events over a fetch() body (WHATWG parsing rules); no EventSource needed, so
// requests can carry Authorization and Mcp-Session-Id headers in browsers too.

export interface SseEvent {
  event: string;
  data: string;
  /** The last event id seen on the stream (persists across events, as in EventSource). */
  id?: string;
  /** The server's reconnection hint in ms (`retry:` field), when it sent one. */
  retry?: number;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  let hasData = false;
  let id: string | undefined;
  let retry: number | undefined;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r\n|\r|\n/)) >= 0) {
        // A lone \r at the end of the buffer may be half of \r\n: wait for the next chunk.
        if (buffer[nl] === '\r' && nl === buffer.length - 1) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer.startsWith('\r\n', nl) ? 2 : 1));
        if (line === '') {
          if (hasData) yield { event: event || 'message', data: data.join('\n'), id, retry };
          event = '';
          data = [];
          hasData = false;
          continue;
        }
        if (line.startsWith(':')) continue; // comment: keep-alive
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
        if (field === 'data') { data.push(val); hasData = true; }
        else if (field === 'event') event = val;
        else if (field === 'id' && !val.includes('\0')) id = val;
        else if (field === 'retry' && /^\d+$/.test(val)) retry = Number(val);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
