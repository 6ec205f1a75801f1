// Bearer tokens against koan-mcp with authentication on (Development: `koan-mcp token` mints them).
// ClockSkewSeconds=0 so a 2-second token really expires during the test.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AuthError, KoanMcpClient, RpcError, bearerTokenProvider, jwtExpiry } from '@koan/mcp-client';
import { sleep, startServer } from './server.mjs';

// 2026-07-28 (the default on /mcp), a 2025-11-25 session on Streamable HTTP, legacy HTTP+SSE.
const TRANSPORTS = [['modern', '/mcp', {}], ['streamable', '/mcp', { era: 'legacy' }], ['sse', '/mcp/sse', {}]];
const fast = { maxAttempts: 6, initialDelayMs: 100, maxDelayMs: 800 };

describe('bearer auth', () => {
  let server;
  before(async () => {
    server = await startServer(['--set', 'RequireAuthentication=true', '--set', 'Auth:ClockSkewSeconds=0']);
  });
  after(() => server.dispose());

  for (const [kind, path, era] of TRANSPORTS) {
    test(`${kind}: no token → AuthError 401 with the resource metadata challenge, not retried`, async () => {
      let retries = 0;
      const client = new KoanMcpClient({ ...era, url: server.base + path, retry: fast, onRetry: () => retries++ });
      const err = await client.connect().catch((e) => e);
      assert.ok(err instanceof AuthError, String(err));
      assert.equal(err.status, 401);
      assert.match(err.wwwAuthenticate, /^Bearer .*resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
      assert.equal(retries, 0);
      const bad = await new KoanMcpClient({ ...era, url: server.base + path, token: 'not-a-jwt' }).connect().catch((e) => e);
      assert.ok(bad instanceof AuthError && /invalid_token/.test(bad.wwwAuthenticate), String(bad));
    });

    test(`${kind}: the provider is asked again after a 401 and the fresh token is used`, async () => {
      const good = await server.token('alice', 'clinical:operations');
      const asked = [];
      const client = new KoanMcpClient({
        ...era,
        url: server.base + path,
        token: (forceRefresh) => { asked.push(forceRefresh); return forceRefresh ? good : 'revoked-token'; },
      });
      await client.connect();
      assert.deepEqual(asked.slice(0, 2), [false, true]);
      const tools = await client.listTools();
      assert.equal(tools.length, 30); // clinical:operations: TrialSite, ParticipantVisit, MonitoringNote, 10 tools each
      assert.ok(!tools.some((t) => t.name.startsWith('adverse-event-report.')));
      const denied = await client.callTool('adverse-event-report.collection').catch((e) => e);
      assert.ok(denied instanceof RpcError && denied.code === -32003, String(denied));
      await client.close();
    });

    test(`${kind}: an expired token is refreshed through bearerTokenProvider mid-session`, async () => {
      let minted = 0;
      const reconnects = [];
      const token = bearerTokenProvider(async () => {
        minted++;
        // The first token lives 2 s; its successor an hour.
        return server.token('bob', 'clinical:operations clinical:safety', minted === 1 ? '2s' : '1h');
      }, { refreshBeforeMs: 0 });
      const client = new KoanMcpClient({ ...era, url: server.base + path, token, retry: fast, onReconnect: (r) => reconnects.push(r) });
      await client.connect();
      assert.equal((await client.listTools()).length, 40); // four entities, ten tools each
      // Past `exp` (whole seconds) by more than a second: expired for the validator and the session sweep alike.
      const firstExp = jwtExpiry(await token(false));
      await sleep(firstExp - Date.now() + 1200);
      // Streamable: the POST gets 401, is re-sent with a new token, finds the session closed (404) and
      // re-initializes. Legacy: the stream ended with token_expired; the reconnect asked for a new token.
      // 2026-07-28: no session, so the 401 is answered with a fresh token and nothing reconnects.
      const result = await client.callTool('adverse-event-report.collection', { pageSize: 1 });
      assert.notEqual(result.isError, true);
      assert.equal(minted, 2);
      assert.equal(reconnects.length, kind === 'modern' ? 0 : 1);
      await client.close();
    });
  }

  test('concurrent requests share one token fetch; jwtExpiry reads exp', async () => {
    let fetches = 0;
    const provider = bearerTokenProvider(async () => { fetches++; await sleep(50); return { token: 't', expiresAt: Date.now() + 3600_000 }; });
    assert.deepEqual(await Promise.all([provider(false), provider(false), provider(false)]), ['t', 't', 't']);
    assert.equal(fetches, 1);
    await provider(true);
    assert.equal(fetches, 2);
    const jwt = await server.token('carol', 'clinical:operations', '15m');
    const exp = jwtExpiry(jwt);
    assert.ok(Math.abs(exp - (Date.now() + 15 * 60_000)) < 60_000, `exp ${exp}`);
  });
});
