// fetch() with bearer tokens and typed errors; works with the global fetch of Node 20+ and browsers.
import type { TokenProvider } from './auth.js';
import { AbortedError, AuthError, HttpError, NetworkError } from './errors.js';

export interface HttpOptions {
  token?: string | TokenProvider;
  /** Extra headers on every request (e.g. a tenant header). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** fetch that retries once with a refreshed token after a 401 and turns failures into typed errors. */
export async function authorizedFetch(url: URL, init: RequestInit, options: HttpOptions): Promise<Response> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const token = options.token;
  const provider: TokenProvider | undefined = typeof token === 'string' ? () => token : token;
  const attempt = async (refresh: boolean) => {
    const headers = new Headers(options.headers);
    new Headers(init.headers).forEach((v, k) => headers.set(k, v));
    const bearer = provider ? await provider(refresh) : undefined;
    if (bearer) headers.set('Authorization', `Bearer ${bearer}`);
    try {
      return await doFetch(url, { ...init, headers });
    } catch (err) {
      if (init.signal?.aborted) throw new AbortedError('request aborted', { cause: err });
      throw new NetworkError(`cannot reach ${url.origin}: ${causeText(err)}`, { cause: err });
    }
  };
  let response = await attempt(false);
  if (response.status === 401 && provider && typeof token !== 'string') {
    await response.body?.cancel().catch(() => {});
    response = await attempt(true);
  }
  // 403 is an auth failure only with a Bearer challenge (insufficient_scope); a refused Origin,
  // Host or another subject's session is a plain HttpError.
  const challenge = response.headers.get('www-authenticate');
  if (response.status === 401 || (response.status === 403 && challenge))
    throw new AuthError(response.status, await bodyOf(response), challenge);
  if (!response.ok)
    throw new HttpError(response.status, await bodyOf(response), retryAfterMs(response.headers.get('retry-after')),
      `HTTP ${response.status} from ${init.method ?? 'GET'} ${url.pathname}`);
  return response;
}

function retryAfterMs(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

async function bodyOf(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, …) is in its cause.
function causeText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message, e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ') || String(err);
}
