// The browser example in headless Chromium (Debian's `chromium`, driven by playwright-core)
// against the real koan-mcp with authentication on. The page is served from a non-loopback origin
// (koan-client.test, mapped to 127.0.0.1 inside Chromium) that only AllowedOrigins lets in, so CORS
// preflights with Authorization and Mcp-Session-Id are really exercised.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { freePort, startServer } from './server.mjs';

const executablePath = process.env.CHROMIUM ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);
const root = normalize(new URL('..', import.meta.url).pathname);
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };
let mcp, web, browser, webPort, token;

before(async () => {
  assert.ok(executablePath, 'chromium is not installed (bash .ci/setup installs it: apt-get install chromium)');
  webPort = await freePort();
  mcp = await startServer(['--set', 'RequireAuthentication=true', '--set', `AllowedOrigins:0=http://koan-client.test:${webPort}`]);
  token = await mcp.token('browser', 'clinical:operations');
  // A tiny static server for the package directory (the page imports ../../dist/index.js).
  web = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    if (!path.startsWith(root) || !existsSync(path) || path.includes('node_modules')) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': types[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise((r) => web.listen(webPort, '127.0.0.1', r));
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP koan-client.test 127.0.0.1, MAP other.test 127.0.0.1'],
  });
});
after(async () => { await browser?.close(); web?.close(); await mcp?.dispose(); });

const pageUrl = (host, server, extra = {}) => `http://${host}:${webPort}/examples/browser/index.html?` + new URLSearchParams({
  auto: '1', server, token, tool: 'trial-site.get-by-id', args: '{"id":"site-osaka"}', ...extra });

async function run(url) {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  await page.goto(url);
  await page.waitForFunction(() => /^(ok|tool error|error)/.test(document.getElementById('status').textContent), null, { timeout: 20000 });
  return { page, errors, status: await page.textContent('#status') };
}

for (const path of ['/mcp', '/mcp/sse']) {
  test(`the page lists and calls tools over ${path} from an allowed origin`, async () => {
    const { page, errors, status } = await run(pageUrl('koan-client.test', mcp.base + path));
    assert.equal(status, 'ok');
    assert.deepEqual(errors, []);
    assert.equal(await page.locator('#tools option').count(), 30); // the token's scope: clinical:operations
    assert.match(await page.textContent('#result'), /Osaka University Clinical Trials Unit/);
    await page.close();
  });
}

test('in the browser: a token provider refreshes after 401; typed errors survive bundling-free ESM', async () => {
  const page = await browser.newPage();
  await page.goto(`http://koan-client.test:${webPort}/examples/browser/index.html`);
  const outcome = await page.evaluate(async ({ server, good }) => {
    const { KoanMcpClient, AuthError, RpcError } = await import('@koan/mcp-client');
    const asked = [];
    const client = new KoanMcpClient({ url: server, token: (refresh) => { asked.push(refresh); return refresh ? good : 'stale'; } });
    await client.connect();
    const era = client.era; // 2026-07-28: its Mcp-Method / Mcp-Name headers pass the CORS preflight
    const site = await client.callTool('trial-site.get-by-id', { id: 'site-lyon' });
    const denied = await client.callTool('adverse-event-report.collection').catch((e) => e);
    await client.close();
    const legacy = new KoanMcpClient({ url: server, token: good, era: 'legacy' });
    await legacy.connect();
    const session = typeof legacy.sessionId === 'string'; // Mcp-Session-Id is exposed to the page
    await legacy.close();
    const anonymous = await new KoanMcpClient({ url: server }).connect().catch((e) => e);
    return {
      asked: asked.slice(0, 2), era, session, location: site.structuredContent.item.location,
      denied: denied instanceof RpcError && denied.code,
      anonymous: anonymous instanceof AuthError && [anonymous.status, /resource_metadata=/.test(anonymous.wwwAuthenticate)],
    };
  }, { server: mcp.base + '/mcp', good: token });
  assert.deepEqual(outcome, { asked: [false, true], era: 'modern', session: true, location: 'Lyon, France', denied: -32003, anonymous: [401, true] });
  await page.close();
});

test('a page on an origin the server does not allow is refused (CORS) with a NetworkError', async () => {
  const { page, status } = await run(pageUrl('other.test', mcp.base + '/mcp', { attempts: '1' }));
  assert.match(status, /^error: NetworkError: cannot reach http:\/\/127\.0\.0\.1:\d+/);
  await page.close();
});
