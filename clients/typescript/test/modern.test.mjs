// The 2026-07-28 era against the real koan-mcp, and the fallbacks against older servers.
// Modern: server/discover, stateless calls with their _meta and mirrored headers (seen on the wire
// through a TCP relay), resources and prompts, an MRTR round through {entity}.delete-all's
// confirmation (and the same inputHandler answering 2025 elicitation/create requests), listen
// subscriptions receiving updates after another client's write, logging by _meta, cancellation by
// closing the stream. The same against the official TypeScript SDK v2 server (2026-07-28 only),
// whose shutdown also ends a subscription gracefully. Fallback: the official TypeScript SDK v1
// server (2025-11-25 only) on Streamable HTTP and legacy HTTP+SSE, and koan-mcp with its
// Streamable transport off, and koan-mcp behind a relay whose server/discover answers -32601 or
// -32022 (the two refusals an older server gives).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ConnectionClosedError, InputRequiredError, KoanMcpClient, ProtocolError, RpcError, TimeoutError,
} from '@koan/mcp-client';
import {
  postedMessages, sleep, startDiscoverRefusingProxy, startProxy, startSdkV1Peer, startSdkV2Server, startServer,
} from './server.mjs';

const CONFIRM = { action: 'accept', content: { confirm: true } };
const until = async (cond, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(25)) if (await cond()) return;
  assert.fail('condition not reached in time');
};
const listenRows = async (server) =>
  (await (await fetch(`${server.base}/admin/snapshot`)).json()).sessions.filter((s) => s.kind === 'listen');
const count = async (client, entity) =>
  (await client.callTool(`${entity}.collection`, { pageSize: 100 })).structuredContent.items.length;

describe('2026-07-28', () => {
  let server;
  before(async () => { server = await startServer(['--fixtures', 'conformance']); });
  after(() => server.dispose());

  test('discover, then stateless calls carrying _meta and the mirrored headers', async () => {
    const proxy = await startProxy(server.port);
    try {
      const client = new KoanMcpClient({ url: proxy.base + '/mcp', clientInfo: { name: 'ts-modern', version: '9' } });
      const init = await client.connect();
      assert.deepEqual([client.era, init.protocolVersion, client.transportKind, client.sessionId], ['modern', '2026-07-28', 'streamable', undefined]);
      assert.equal(client.serverInfo.name, 'koan-mcp');
      assert.ok(client.discoverResult.supportedVersions.includes('2026-07-28'));
      assert.ok(client.serverCapabilities.tools);
      const tools = await client.listTools();
      assert.equal(tools.filter((t) => t.name.includes('.')).length, 51);
      const site = await client.callTool('trial-site.get-by-id', { id: 'site-lyon' });
      assert.equal(site.structuredContent.item.location, 'Lyon, France');
      assert.equal(site.resultType, 'complete');
      const read = await client.readResource('s12://trial-site/site-osaka');
      const record = JSON.parse(read.contents[0].text);
      assert.deepEqual([record.id, read._meta.version], ['site-osaka', record.version]);
      const prompt = await client.getPrompt('site-monitoring-summary', { siteId: 'site-lyon' });
      assert.ok(prompt.messages.some((m) => m.content.type === 'resource' && m.content.resource.uri === 's12://trial-site/site-lyon'));
      const missing = await client.readResource('s12://trial-site/no-such-site').catch((e) => e);
      assert.ok(missing instanceof RpcError && missing.code === -32602 && missing.data.uri === 's12://trial-site/no-such-site', String(missing));
      const unknownTool = await client.callTool('no.such-tool').catch((e) => e);
      assert.ok(unknownTool instanceof RpcError && unknownTool.code === -32602, String(unknownTool));
      // 404 with a JSON-RPC body is the answer, not a reason to fall back; 2025-only methods are gone.
      for (const method of ['no/such-method', 'logging/setLevel']) {
        const gone = await client.request(method, { level: 'info' }).catch((e) => e);
        assert.ok(gone instanceof RpcError && gone.code === -32601, `${method}: ${gone}`);
      }
      await client.ping(); // server/discover: there is no ping
      await client.close();
      const posts = postedMessages(proxy.sent());
      assert.equal(posts[0].body.method, 'server/discover');
      assert.ok(!posts.some((p) => p.body.method === 'initialize'));
      for (const { headers, body } of posts) {
        const meta = body.params._meta;
        assert.equal(meta['io.modelcontextprotocol/protocolVersion'], '2026-07-28');
        assert.deepEqual(meta['io.modelcontextprotocol/clientInfo'], { name: 'ts-modern', version: '9' });
        assert.deepEqual(meta['io.modelcontextprotocol/clientCapabilities'], {});
        assert.deepEqual([headers['mcp-protocol-version'], headers['mcp-method']], ['2026-07-28', body.method]);
        assert.equal(headers['mcp-session-id'], undefined);
        const name = { 'tools/call': body.params.name, 'prompts/get': body.params.name, 'resources/read': body.params.uri }[body.method];
        assert.equal(headers['mcp-name'], name, body.method);
      }
      assert.equal(new Set(posts.map((p) => p.body.id)).size, posts.length);
    } finally {
      await proxy.close();
    }
  });

  test('logging through _meta, progress, and a timeout that closes the stream', async () => {
    const seen = [];
    const client = new KoanMcpClient({ url: server.base + '/mcp', onNotification: (n) => seen.push(n) });
    await client.connect();
    await client.callTool('test_tool_with_logging');
    assert.deepEqual(seen.filter((n) => n.method === 'notifications/message'), []); // no logLevel, no log
    await client.setLoggingLevel('info');
    await client.callTool('test_tool_with_logging');
    assert.deepEqual(seen.filter((n) => n.method === 'notifications/message').map((n) => n.params.data),
      ['Tool execution started', 'Tool processing data', 'Tool execution completed']);
    const progress = [];
    await client.callTool('test_tool_with_progress', {}, { onProgress: (p) => progress.push(p.progress) });
    assert.deepEqual(progress, [0, 50, 100]);
    await assert.rejects(client.callTool('test_reconnection', {}, { timeoutMs: 20 }), TimeoutError);
    assert.match((await client.callTool('test_reconnection')).content[0].text, /completed/);
    await client.close();
  });

  test('the era can be pinned', async () => {
    const legacy = new KoanMcpClient({ url: server.base + '/mcp', era: 'legacy' });
    assert.equal((await legacy.connect()).protocolVersion, '2025-11-25');
    assert.ok(legacy.era === 'legacy' && legacy.sessionId);
    await assert.rejects(legacy.listen({ toolsListChanged: true }), ProtocolError);
    await legacy.close();
    const modern = new KoanMcpClient({ url: server.base + '/mcp', era: 'modern' });
    await modern.connect();
    assert.equal(modern.era, 'modern');
    await modern.close();
    assert.throws(() => new KoanMcpClient({ url: server.base + '/mcp/sse', era: 'modern' }), TypeError);
  });
});

describe('input required: {entity}.delete-all asks for a confirmation', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server.dispose());

  test('2026-07-28: an MRTR round answered by inputHandler, retried with inputResponses and requestState', async () => {
    const proxy = await startProxy(server.port);
    try {
      const asked = [];
      const client = new KoanMcpClient({ url: proxy.base + '/mcp', capabilities: { elicitation: {} },
        inputHandler: (method, params) => { asked.push([method, params]); return CONFIRM; } });
      await client.connect();
      assert.ok(await count(client, 'monitoring-note') > 0);
      const result = await client.callTool('monitoring-note.delete-all');
      assert.notEqual(result.isError, true, JSON.stringify(result));
      assert.equal(result.resultType, 'complete');
      assert.equal(await count(client, 'monitoring-note'), 0);
      assert.equal(client.inputRounds, 1);
      await client.close();
      assert.deepEqual(asked.map(([m]) => m), ['elicitation/create']);
      assert.match(asked[0][1].message, /MonitoringNote/);
      assert.ok(asked[0][1].requestedSchema.properties.confirm);
      const calls = postedMessages(proxy.sent()).map((p) => p.body)
        .filter((b) => b.method === 'tools/call' && b.params.name === 'monitoring-note.delete-all');
      assert.equal(calls.length, 2);
      const [first, retry] = calls;
      assert.equal(first.params.inputResponses, undefined);
      assert.notEqual(first.id, retry.id);
      assert.deepEqual(retry.params.inputResponses, { confirm: CONFIRM });
      assert.ok(typeof retry.params.requestState === 'string' && retry.params.requestState.length > 0);
      assert.deepEqual(retry.params.arguments, first.params.arguments);
    } finally {
      await proxy.close();
    }
  });

  test('declined, unanswerable or not askable: nothing is deleted', async () => {
    const decline = new KoanMcpClient({ url: server.base + '/mcp', capabilities: { elicitation: {} }, inputHandler: async () => ({ action: 'decline' }) });
    await decline.connect();
    const before = await count(decline, 'trial-site');
    const declined = await decline.callTool('trial-site.delete-all');
    assert.ok(declined.isError && /not_confirmed/.test(declined.content[0].text), JSON.stringify(declined));
    assert.equal(await count(decline, 'trial-site'), before);
    await decline.close();
    const nobody = new KoanMcpClient({ url: server.base + '/mcp', capabilities: { elicitation: {} } });
    await nobody.connect();
    const err = await nobody.callTool('trial-site.delete-all').catch((e) => e);
    assert.ok(err instanceof InputRequiredError && err.result.resultType === 'input_required', String(err));
    await nobody.close();
    const plain = new KoanMcpClient({ url: server.base + '/mcp' });
    await plain.connect();
    assert.match((await plain.callTool('trial-site.delete-all')).content[0].text, /confirmation_required/);
    assert.equal(await count(plain, 'trial-site'), before);
    await plain.close();
  });

  for (const [kind, path, entity] of [['streamable', '/mcp', 'participant-visit'], ['sse', '/mcp/sse', 'protocol-document']]) {
    test(`2025 ${kind}: the same inputHandler answers the server's elicitation/create`, async () => {
      const asked = [];
      const client = new KoanMcpClient({ url: server.base + path, era: 'legacy', capabilities: { elicitation: {} },
        inputHandler: (method) => { asked.push(method); return CONFIRM; } });
      await client.connect();
      assert.equal(client.era, 'legacy');
      assert.ok(await count(client, entity) > 0);
      const result = await client.callTool(`${entity}.delete-all`, {}, { timeoutMs: 10_000 });
      assert.notEqual(result.isError, true, JSON.stringify(result));
      assert.equal(await count(client, entity), 0);
      assert.deepEqual([asked, client.inputRounds], [['elicitation/create'], 0]);
      await client.close();
    });
  }
});

describe('subscriptions/listen', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server.dispose());

  test('a resource update after another client\'s write, only for the URI asked, then a clean close', async () => {
    const uri = 's12://trial-site/site-osaka';
    const seen = [];
    const listener = new KoanMcpClient({ url: server.base + '/mcp', onNotification: (n) => seen.push(n) });
    const writer = new KoanMcpClient({ url: server.base + '/mcp/sse' }); // another client, era and transport
    await listener.connect();
    await writer.connect();
    const sub = await listener.listen({ resourceSubscriptions: [uri] });
    assert.deepEqual(sub.honored, { resourceSubscriptions: [uri] });
    await until(async () => (await listenRows(server)).length === 1);
    for (const id of ['site-osaka', 'site-lyon']) { // site-lyon is nobody's subscription here
      const site = (await writer.callTool('trial-site.get-by-id', { id })).structuredContent.item;
      const patched = await writer.callTool('trial-site.patch', { id, expectedVersion: site.version,
        patch: [{ op: 'replace', path: '/currentEnrollment', value: site.currentEnrollment + 1 }] });
      assert.notEqual(patched.isError, true, JSON.stringify(patched));
    }
    const update = await sub.next(5000);
    assert.equal(update.method, 'notifications/resources/updated');
    assert.equal(update.params.uri, uri);
    assert.equal(update.params._meta['io.modelcontextprotocol/subscriptionId'], sub.id);
    assert.ok(seen.includes(update)); // onNotification hears it too
    await assert.rejects(sub.next(500), TimeoutError);
    await sub.close();
    assert.ok(sub.closed);
    await until(async () => (await listenRows(server)).length === 0); // the server saw the stream end
    await assert.rejects(sub.next(), ConnectionClosedError);
    await listener.callTool('trial-site.get-by-id', { id: 'site-osaka' }); // the client goes on
    await writer.close();
    await listener.close();
  });

  test('tools/list_changed from the console\'s entity options, and the end at shutdown', async () => {
    const own = await startServer();
    try {
      const client = new KoanMcpClient({ url: own.base + '/mcp' });
      await client.connect();
      const sub = await client.listen({ toolsListChanged: true });
      assert.equal(sub.honored.toolsListChanged, true);
      const before = (await client.listTools()).length;
      const { options } = (await (await fetch(own.base + '/admin/snapshot')).json()).entities.find((e) => e.entity === 'TrialSite');
      const changed = await fetch(own.base + '/admin/entities/options', { method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ entity: 'TrialSite', options: { ...options, allowMutations: false } }) }); // the console's switch
      assert.equal(changed.status, 200);
      const received = [];
      for await (const n of sub) { received.push(n); break; }
      assert.equal(received[0].method, 'notifications/tools/list_changed');
      assert.ok((await client.listTools()).length < before);
      // Shutdown (SIGTERM) ends the stream gracefully: the listen request's final result first.
      await own.stop();
      await assert.rejects(sub.next(5000), ConnectionClosedError);
      assert.ok(sub.closed);
      assert.ok(sub.endedByServer, String(sub.error));
      assert.equal(sub.error, undefined);
      await client.close();
    } finally {
      await own.dispose();
    }
  });
});

describe('the official TypeScript SDK v2 server (2026-07-28 only)', () => {
  let peer;
  before(async () => { peer = await startSdkV2Server(); });
  after(() => peer.dispose());

  test('discover, calls, a resource, an MRTR round, a listen update and the graceful end at its shutdown', async () => {
    const asked = [];
    const client = new KoanMcpClient({ url: peer.base + '/mcp', capabilities: { elicitation: {} },
      inputHandler: (method, params) => { asked.push([method, params.message]); return CONFIRM; } });
    const other = new KoanMcpClient({ url: peer.base + '/mcp' });
    await client.connect();
    await other.connect();
    assert.deepEqual([client.era, client.serverInfo.name], ['modern', 'sdk-v2-peer']);
    const warnings = [];
    const warn = console.warn;
    console.warn = (m) => warnings.push(m);
    const names = (await client.listTools()).map((t) => t.name);
    console.warn = warn;
    assert.ok(names.includes('echo') && !names.includes('bad-header'), names.join(' ')); // x-mcp-header on a number: left out
    assert.match(warnings.join('\n'), /ignoring tool bad-header/);
    assert.deepEqual((await client.callTool('echo', { text: 'hi' })).structuredContent, { text: 'hi' });
    assert.equal((await client.readResource('test://note')).contents[0].text, 'a note');
    // x-mcp-header: region goes along as Mcp-Param-Region, which the SDK checks against the body
    // (base64 for a value that is not plain ASCII).
    for (const region of ['eu', ' Zürich ']) {
      const echoed = await client.callTool('regional-echo', { region, text: 'hi' });
      assert.equal(echoed.content[0].text, `${region}: hi`, JSON.stringify(echoed));
    }
    // A client that never listed the tools: the first call gets -32020, the client lists and retries.
    assert.equal((await other.callTool('regional-echo', { region: 'us', text: 'yo' })).content[0].text, 'us: yo');
    const deployed = await client.callTool('confirm-deploy', { env: 'prod' });
    assert.equal(deployed.content[0].text, 'deployed to prod');
    assert.deepEqual([asked, client.inputRounds], [[['elicitation/create', 'Deploy to prod?']], 1]);
    const sub = await client.listen({ resourceSubscriptions: ['test://note'] });
    assert.deepEqual(sub.honored, { resourceSubscriptions: ['test://note'] });
    await other.callTool('touch', { uri: 'test://note' });
    const update = await sub.next(5000);
    assert.deepEqual([update.method, update.params.uri], ['notifications/resources/updated', 'test://note']);
    await peer.stop(); // SIGTERM: the SDK answers the listen request, then closes the stream
    await assert.rejects(sub.next(5000), ConnectionClosedError);
    assert.ok(sub.endedByServer, String(sub.error));
    await other.close();
    await client.close();
  });

  test('era legacy against a modern-only server fails clearly', async () => {
    const own = await startSdkV2Server();
    try {
      const err = await new KoanMcpClient({ url: own.base + '/mcp', era: 'legacy' }).connect().catch((e) => e);
      assert.ok(err instanceof ProtocolError && /does not speak the legacy era/.test(err.message) && /2026-07-28/.test(err.message), String(err));
    } finally {
      await own.dispose();
    }
  });
});

describe('fallback to older servers', () => {
  let peer;
  before(async () => { peer = await startSdkV1Peer(); });
  after(() => peer.dispose());

  test('the TypeScript SDK v1 server on Streamable HTTP: one discover, then a 2025-11-25 session', async () => {
    const proxy = await startProxy(peer.port);
    try {
      const client = new KoanMcpClient({ url: proxy.base + '/mcp' });
      const init = await client.connect();
      assert.deepEqual([client.era, client.transportKind, init.protocolVersion, init.serverInfo.name],
        ['legacy', 'streamable', '2025-11-25', 'koan-bench-peer']);
      assert.ok(client.sessionId);
      assert.ok((await client.listTools()).some((t) => t.name === 'trial-site.get-by-id'));
      const site = await client.callTool('trial-site.get-by-id', { id: 'site-boston' });
      assert.equal(site.structuredContent.item.name, 'Boston General Research Center');
      await client.ping();
      await client.close();
      const methods = postedMessages(proxy.sent()).map((p) => p.body.method);
      assert.deepEqual(methods.slice(0, 2), ['server/discover', 'initialize']);
      assert.equal(methods.filter((m) => m === 'server/discover').length, 1);
    } finally {
      await proxy.close();
    }
  });

  test('the TypeScript SDK v1 server without Streamable HTTP at the URL: legacy HTTP+SSE at URL/sse', async () => {
    const client = new KoanMcpClient({ url: peer.base }); // POST and GET / are 404 there; GET /sse is its SSE endpoint
    await client.connect();
    assert.deepEqual([client.era, client.transportKind], ['legacy', 'sse']);
    assert.ok(client.sessionId);
    assert.equal((await client.callTool('trial-site.get-by-id', { id: 'site-boston' })).structuredContent.item.id, 'site-boston');
    await client.close();
  });

  test('era modern against it fails clearly', async () => {
    const err = await new KoanMcpClient({ url: peer.base + '/mcp', era: 'modern' }).connect().catch((e) => e);
    assert.ok(err instanceof ProtocolError && /did not offer protocol version 2026-07-28/.test(err.message), String(err));
  });

  test('koan-mcp with Streamable HTTP off: the client ends up on /mcp/sse', async () => {
    const off = await startServer(['--set', 'EnableStreamableHttpTransport=false']);
    try {
      const client = new KoanMcpClient({ url: off.base + '/mcp' });
      const init = await client.connect();
      assert.deepEqual([client.era, client.transportKind, init.serverInfo.name], ['legacy', 'sse', 'koan-mcp']);
      assert.equal((await client.callTool('trial-site.get-by-id', { id: 'site-lyon' })).structuredContent.item.id, 'site-lyon');
      await client.close();
    } finally {
      await off.dispose();
    }
  });
});

describe('server/discover refused the way a server without 2026-07-28 refuses it', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(() => server.dispose());

  const fallsBack = async (status, error) => {
    const proxy = await startDiscoverRefusingProxy(server.port, { status, error });
    try {
      const client = new KoanMcpClient({ url: proxy.base + '/mcp' });
      const init = await client.connect();
      assert.deepEqual([client.era, client.transportKind, init.protocolVersion, init.serverInfo.name],
        ['legacy', 'streamable', '2025-11-25', 'koan-mcp']);
      assert.ok(client.sessionId);
      assert.equal((await client.callTool('trial-site.get-by-id', { id: 'site-lyon' })).structuredContent.item.id, 'site-lyon');
      await client.close();
      assert.deepEqual(proxy.methods.slice(0, 2), ['server/discover', 'initialize']);
      assert.equal(proxy.methods.filter((m) => m === 'server/discover').length, 1);
    } finally {
      await proxy.close();
    }
  };

  test('-32601 (method not found): a 2025-11-25 session', () =>
    fallsBack(200, { code: -32601, message: 'Method not found: server/discover' }));

  test('-32022 naming a 2025 version it supports: a 2025-11-25 session', () =>
    fallsBack(400, { code: -32022, message: 'Unsupported protocol version',
      data: { supported: ['2025-11-25', '2025-06-18'], requested: '2026-07-28' } }));

  test('-32022 naming no version the client speaks: the error, no fallback', async () => {
    const proxy = await startDiscoverRefusingProxy(server.port, { status: 400, error: {
      code: -32022, message: 'Unsupported protocol version', data: { supported: ['2027-01-15'], requested: '2026-07-28' } } });
    try {
      const err = await new KoanMcpClient({ url: proxy.base + '/mcp' }).connect().catch((e) => e);
      assert.ok(err instanceof RpcError && err.code === -32022, String(err));
      assert.deepEqual(err.data.supported, ['2027-01-15']);
      assert.ok(!proxy.methods.includes('initialize'), proxy.methods.join());
    } finally {
      await proxy.close();
    }
  });

  test('era modern fails clearly on -32601', async () => {
    const proxy = await startDiscoverRefusingProxy(server.port, { status: 200, error: { code: -32601, message: 'Method not found' } });
    try {
      const err = await new KoanMcpClient({ url: proxy.base + '/mcp', era: 'modern' }).connect().catch((e) => e);
      assert.ok(err instanceof ProtocolError && /did not offer protocol version 2026-07-28/.test(err.message), String(err));
    } finally {
      await proxy.close();
    }
  });
});
