// Bearer tokens: a provider callback the client asks before each HTTP request, and again with
// forceRefresh=true once after a 401, so an expired or revoked token is replaced transparently.

/** Returns the bearer token (or undefined for none). `forceRefresh`: the server refused the last one. */
export type TokenProvider = (forceRefresh: boolean) => string | undefined | Promise<string | undefined>;

export interface IssuedToken {
  token: string;
  /** Expiry as epoch milliseconds; the token is renewed `refreshBeforeMs` ahead of it. */
  expiresAt?: number;
}

/**
 * Wraps a token source (an OAuth refresh, a call to your backend) into a caching TokenProvider:
 * the token is reused until it is about to expire or the server refuses it, and concurrent
 * requests share one fetch.
 */
export function bearerTokenProvider(
  fetchToken: () => Promise<string | IssuedToken> | string | IssuedToken,
  { refreshBeforeMs = 30_000 }: { refreshBeforeMs?: number } = {},
): TokenProvider {
  let current: IssuedToken | undefined;
  let inflight: Promise<IssuedToken> | undefined;
  return async (forceRefresh) => {
    const fresh = current && !forceRefresh && (current.expiresAt === undefined || current.expiresAt - refreshBeforeMs > Date.now());
    if (fresh) return current!.token;
    inflight ??= Promise.resolve()
      .then(fetchToken)
      .then((t) => (current = typeof t === 'string' ? { token: t } : t))
      .finally(() => { inflight = undefined; });
    return (await inflight).token;
  };
}

/** Reads `exp` from a JWT (no verification: the server does that) as epoch milliseconds. */
export function jwtExpiry(jwt: string): number | undefined {
  try {
    const b64 = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const exp = JSON.parse(atob(b64.padEnd(b64.length + ((4 - (b64.length % 4)) % 4), '='))).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
