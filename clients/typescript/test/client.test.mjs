// @koan/mcp-client in the 2025 era (era: 'legacy', initialize and a session) against the real
// koan-mcp: both transports, tools, ping, notifications, typed errors, timeouts, and recovery from
// lost sessions and dropped streams. The 2026-07-28 era (the default on /mcp) is in modern.test.mjs.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AbortedError, ConnectionClosedError, HttpError, KoanMcpClient, NetworkError, RpcError, TimeoutError, ToolError,
  backoffDelay, withRetry,
} from '@koan/mcp-client';
import { freePort, sleep, startProxy, startServer } from './server.mjs';

const TRANSPORTS = [['streamable', '/mcp'], ['sse', '/mcp/sse']];
const LEGACY = { era: 'legacy' }; // /mcp speaks 2026-07-28 by default; these tests are about the 2025 session
const fast = { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 800 };
const until = async (cond, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) if (await cond()) return;
  assert.fail('condition not reached in time');
};

describe('S12 server', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server.dispose());

  for (const [kind, path] of TRANSPORTS) {
    test(`${kind}: initialize, listTools, callTool, ping`, async () => {
      const client = new KoanMcpClient({ ...LEGACY, url: server.base + path });
      const init = await client.connect();
      assert.equal(client.transportKind, kind);
      assert.equal(init.serverInfo.name, 'koan-mcp');
      assert.equal(init.protocolVersion, '2025-11-25');
      assert.ok(client.connected && client.sessionId);
      const tools = await client.listTools();
      assert.equal(tools.length, 51);
      assert.ok(tools.every((t) => t.inputSchema.type === 'object' && t.description));
      const site = await client.callTool('trial-site.get-by-id', { id: 'site-lyon' });
      assert.notEqual(site.isError, true);
      assert.equal(site.structuredContent.item.location, 'Lyon, France');
      const page = await client.callTool('trial-site.collection', { pageSize: 2 });
      assert.equal(page.structuredContent.items.length, 2);
      await client.ping();
      await client.close();
      assert.equal(client.connected, false);
      await assert.rejects(client.ping(), ConnectionClosedError);
    });

    test(`${kind}: typed errors for JSON-RPC errors and tool failures`, async () => {
      const client = new KoanMcpClient({ ...LEGACY, url: server.base + path });
      await client.connect();
      const unknown = await client.callTool('no.such-tool').catch((e) => e);
      assert.ok(unknown instanceof RpcError, String(unknown));
      assert.equal(unknown.code, -32602);
      const bad = await client.request('tools/nope').catch((e) => e);
      assert.ok(bad instanceof RpcError && bad.code === -32601, String(bad));
      const missing = await client.callTool('trial-site.get-by-id', { id: 'nope' });
      assert.equal(missing.isError, true); // a domain failure is a result, not an exception
      const thrown = await client.callTool('trial-site.get-by-id', { id: 'nope' }, { throwOnToolError: true }).catch((e) => e);
      assert.ok(thrown instanceof ToolError && thrown.result.isError, String(thrown));
      const invalid = await client.callTool('trial-site.collection', { pageSize: 'x' });
      assert.equal(invalid.isError, true);
      assert.match(invalid.content[0].text, /pageSize/);
      await client.close();
    });
  }

  test('sse: negotiates 2024-11-05 when the client offers it', async () => {
    const client = new KoanMcpClient({ url: server.base + '/mcp/sse', protocolVersion: '2024-11-05' });
    assert.equal((await client.connect()).protocolVersion, '2024-11-05');
    assert.equal((await client.listTools()).length, 51);
    await client.close();
  });

  test('HTTP errors are typed: 404 endpoint, refused Origin; neither is retried', async () => {
    let retries = 0;
    const notFound = new KoanMcpClient({ url: server.base + '/nope', retry: fast, onRetry: () => retries++ });
    const e1 = await notFound.connect().catch((e) => e);
    assert.ok(e1 instanceof HttpError && e1.status === 404, String(e1));
    const foreign = new KoanMcpClient({ url: server.base + '/mcp', headers: { Origin: 'http://evil.example' }, retry: fast, onRetry: () => retries++ });
    const e2 = await foreign.connect().catch((e) => e);
    assert.ok(e2 instanceof HttpError && e2.status === 403 && e2.body.error === 'forbidden_origin', String(e2));
    assert.equal(e2.constructor.name, 'HttpError'); // not an AuthError: no Bearer challenge
    assert.equal(retries, 0);
  });

  test('streamable: a session deleted on the server is replaced transparently (404 → initialize → resend)', async () => {
    const reconnects = [];
    const client = new KoanMcpClient({ ...LEGACY, url: server.base + '/mcp', onReconnect: (r) => reconnects.push(r) });
    await client.connect();
    const first = client.sessionId;
    const del = await fetch(server.base + '/mcp', { method: 'DELETE', headers: { 'Mcp-Session-Id': first } });
    assert.equal(del.status, 200);
    const site = await client.callTool('trial-site.get-by-id', { id: 'site-boston' });
    assert.match(site.structuredContent.item.name, /Boston/);
    assert.notEqual(client.sessionId, first);
    assert.equal(reconnects.length, 1);
    await client.close();
  });

  test('sse: the rollback switch ends the stream; the client backs off through 503 and comes back', async () => {
    const retries = [];
    const client = new KoanMcpClient({ url: server.base + '/mcp/sse', retry: fast, onRetry: (e) => retries.push(e) });
    await client.connect();
    const first = client.sessionId;
    const put = (enabled) => fetch(server.base + '/admin/transports/http-sse', {
      method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ enabled }) });
    assert.equal((await put(false)).status, 200);
    await until(() => retries.length > 0);
    assert.ok(retries[0] instanceof HttpError && retries[0].status === 503 && retries[0].retryAfterMs === 5000, String(retries[0]));
    assert.equal((await put(true)).status, 200);
    await client.ping(); // waits for the reconnect in progress
    assert.notEqual(client.sessionId, first);
    await client.close();
  });

  test('a request timeout rejects with TimeoutError; the session stays usable', async () => {
    const fixtures = await startServer(['--fixtures', 'conformance']);
    try {
      const client = new KoanMcpClient({ ...LEGACY, url: fixtures.base + '/mcp' });
      await client.connect();
      const slow = await client.callTool('test_reconnection', {}, { timeoutMs: 20 }).catch((e) => e); // answers after 100 ms
      assert.ok(slow instanceof TimeoutError, String(slow));
      const ac = new AbortController();
      const aborted = client.callTool('test_reconnection', {}, { signal: ac.signal });
      ac.abort();
      await assert.rejects(aborted, AbortedError);
      await sleep(200); // the late answers arrive and are ignored
      await client.ping();
      await client.close();
    } finally {
      await fixtures.dispose();
    }
  });
});

describe('notifications (conformance fixtures: logging and progress)', () => {
  let server;
  before(async () => { server = await startServer(['--fixtures', 'conformance']); });
  after(() => server.dispose());

  for (const [kind, path] of TRANSPORTS) {
    test(`${kind}: notifications/message and notifications/progress reach the listeners`, async () => {
      const seen = [];
      const client = new KoanMcpClient({ ...LEGACY, url: server.base + path, onNotification: (n) => seen.push(n) });
      const init = await client.connect();
      assert.ok(init.capabilities.tools.listChanged);
      await client.setLoggingLevel('info');
      const logged = await client.callTool('test_tool_with_logging');
      assert.equal(logged.content[0].text, 'Tool with logging executed successfully');
      assert.deepEqual(seen.filter((n) => n.method === 'notifications/message').map((n) => n.params.data),
        ['Tool execution started', 'Tool processing data', 'Tool execution completed']);
      const progress = [];
      const off = client.onNotification((n) => n.method === 'notifications/progress' && progress.push('listener'));
      const result = await client.callTool('test_tool_with_progress', {}, { onProgress: (p) => progress.push(p.progress) });
      off();
      assert.match(result.content[0].text, /Progress reported for token/);
      assert.deepEqual(progress.filter((p) => p !== 'listener'), [0, 50, 100]);
      assert.equal(progress.filter((p) => p === 'listener').length, 3);
      await client.close();
    });
  }

  test('streamable: a response stream cut mid-call is resumed with Last-Event-ID', async () => {
    const proxy = await startProxy(server.port);
    try {
      const client = new KoanMcpClient({ ...LEGACY, url: proxy.base + '/mcp', retry: fast });
      await client.connect();
      const progress = [];
      const result = await client.callTool('test_tool_with_progress', {}, {
        onProgress: (p) => { progress.push(p.progress); if (p.progress === 0) proxy.cut(); },
      });
      assert.match(result.content[0].text, /Progress reported/);
      assert.deepEqual(progress, [0, 50, 100]); // the replay delivered what was sent while cut off
      assert.match(proxy.sent(), /GET \/mcp HTTP\/1\.1\r\n(.+\r\n)*last-event-id: \d+_\d+\r\n/i);
      await client.ping();
      await client.close();
    } finally {
      await proxy.close();
    }
  });

  test('sse: a cut stream fails the call in flight with ConnectionClosedError, then the client reconnects', async () => {
    const proxy = await startProxy(server.port);
    try {
      const reconnects = [];
      const client = new KoanMcpClient({ url: proxy.base + '/mcp/sse', retry: fast, onReconnect: (r) => reconnects.push(r) });
      await client.connect();
      const first = client.sessionId;
      const call = client.callTool('test_tool_with_progress', {}, { onProgress: () => proxy.cut() });
      await assert.rejects(call, ConnectionClosedError);
      await until(() => reconnects.length === 1);
      assert.notEqual(client.sessionId, first);
      assert.equal((await client.callTool('test_simple_text')).content[0].text, 'This is a simple text response for testing.');
      await client.close();
    } finally {
      await proxy.close();
    }
  });
});

describe('retry with backoff', () => {
  test('backoffDelay grows exponentially with jitter, capped', () => {
    for (let attempt = 0; attempt < 8; ++attempt) {
      const step = Math.min(1000, 100 * 2 ** attempt);
      const samples = Array.from({ length: 50 }, () => backoffDelay(attempt, { initialDelayMs: 100, maxDelayMs: 1000 }));
      assert.ok(samples.every((d) => d >= step / 2 && d <= step), `attempt ${attempt}: ${samples}`);
      assert.ok(new Set(samples).size > 1, 'jittered');
    }
  });

  test('withRetry stops at the first non-retryable error', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => { calls++; throw new RpcError(-32602, 'no'); }, fast), RpcError);
    assert.equal(calls, 1);
  });

  for (const [kind, path] of TRANSPORTS) {
    test(`${kind}: connect keeps trying until the server comes up`, async () => {
      const port = await freePort();
      const retries = [];
      const client = new KoanMcpClient({ ...LEGACY, url: `http://127.0.0.1:${port}${path}`, retry: { ...fast, maxAttempts: 20 },
        onRetry: (e, attempt, delay) => retries.push({ e, attempt, delay }) });
      const connecting = client.connect();
      await sleep(700);
      const server = await startServer([], { port });
      try {
        const init = await connecting;
        assert.equal(init.serverInfo.name, 'koan-mcp');
        assert.ok(retries.length >= 2, `retried ${retries.length} times`);
        assert.ok(retries.every((r) => r.e instanceof NetworkError && /ECONNREFUSED/.test(r.e.message)), String(retries[0].e));
        assert.deepEqual(retries.map((r) => r.attempt), retries.map((_, i) => i));
        await client.ping();
        await client.close();
      } finally {
        await server.dispose();
      }
    });

    test(`${kind}: the server is killed and restarted; the client re-initializes on its own`, async () => {
      const server = await startServer();
      try {
        const reconnects = [];
        const client = new KoanMcpClient({ ...LEGACY, url: server.base + path, retry: { ...fast, maxAttempts: 20 }, onReconnect: (r) => reconnects.push(r) });
        await client.connect();
        const first = client.sessionId;
        await server.restart(); // SIGKILL: no final event, sessions gone
        const site = await client.callTool('trial-site.get-by-id', { id: 'site-osaka' });
        assert.match(site.structuredContent.item.name, /Osaka/);
        assert.notEqual(client.sessionId, first);
        assert.equal(reconnects.length, 1);
        await client.close();
      } finally {
        await server.dispose();
      }
    });
  }

  test('connect gives up after maxAttempts with the last NetworkError', async () => {
    const port = await freePort();
    let retries = 0;
    const client = new KoanMcpClient({ url: `http://127.0.0.1:${port}/mcp`, retry: { maxAttempts: 3, initialDelayMs: 20 }, onRetry: () => retries++ });
    await assert.rejects(client.connect(), NetworkError);
    assert.equal(retries, 2);
  });
});
