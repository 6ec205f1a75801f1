// Starts the real koan-mcp (KOAN_MCP_BINARY) headless on a loopback port, isolated in a temp HOME.
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const binary = process.env.KOAN_MCP_BINARY ?? new URL('../../../build/app/koan-mcp', import.meta.url).pathname;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

/** Runs koan-mcp; `restart()` brings it back on the same port and database. */
export async function startServer(args = [], { port, wait = true } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'koan-ts-client-'));
  port ??= await freePort();
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'),
    KOAN_CONFIG_DIR: home };
  delete env.KOAN_ENVIRONMENT;
  const common = ['--set', `Auth:DevIssuerKeyFile=${join(home, 'dev-issuer.pem')}`];
  const base = `http://127.0.0.1:${port}`;
  let child;
  let log = '';
  const launch = async () => {
    child = spawn(binary, ['--headless', '--port', String(port), '--db', join(home, 'db.sqlite'), ...common, ...args],
      { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => { log += d; });
    if (wait) await ready();
  };
  const ready = async () => {
    for (let i = 0; i < 150; ++i) {
      if (child.exitCode !== null) throw new Error(`koan-mcp exited ${child.exitCode}:\n${log}`);
      try { if ((await fetch(`${base}/healthz`)).ok) return; } catch {}
      await sleep(100);
    }
    throw new Error(`koan-mcp did not become ready on ${base}:\n${log}`);
  };
  const stop = (signal = 'SIGTERM') => new Promise((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode) return resolve();
    child.once('exit', resolve);
    child.kill(signal);
  });
  /** A dev token from `koan-mcp token` (the server must run with authentication on in Development). */
  const token = (sub, scope, ttl = '1h') => new Promise((resolve, reject) => {
    const p = spawn(binary, ['token', '--sub', sub, '--scope', scope, '--ttl', ttl, '--set', `Port=${port}`, ...common], { env });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`koan-mcp token exited ${code}: ${err}`))));
  });
  await launch();
  return {
    base, port, token, ready, log: () => log,
    launch,
    restart: async () => { await stop('SIGKILL'); await launch(); },
    stop,
    dispose: async () => { await stop(); rmSync(home, { recursive: true, force: true }); },
  };
}

/** A TCP relay in front of the server whose connections the test can cut, like a flaky network. */
export async function startProxy(targetPort) {
  const sockets = new Set();
  let sent = '';
  const server = createServer((client) => {
    client.on('data', (d) => { sent += d.toString('latin1'); });
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    /** Everything clients sent through the relay (HTTP request heads and bodies). */
    sent: () => sent,
    /** Resets every open connection (both directions). */
    cut: () => { for (const s of sockets) s.resetAndDestroy(); },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

/**
 * A server that does not serve 2026-07-28, in front of the real koan-mcp: server/discover gets
 * `error` with HTTP `status` (what an older or differently versioned server answers: -32601, or
 * -32022 naming its versions); every other request is relayed to koan-mcp unchanged, so a fallback
 * lands in a real 2025-11-25 session. koan-mcp itself always serves 2026-07-28; the client is under test.
 */
export async function startDiscoverRefusingProxy(targetPort, { status, error }) {
  const methods = [];
  const sockets = new Set();
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let message;
      try { message = JSON.parse(body.toString('utf8')); } catch {}
      if (req.method === 'POST') methods.push(message?.method);
      if (message?.method === 'server/discover') {
        const reply = JSON.stringify({ jsonrpc: '2.0', id: message.id, error });
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(reply) });
        return res.end(reply);
      }
      const headers = { ...req.headers, host: `127.0.0.1:${targetPort}` };
      const upstream = httpRequest({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      upstream.end(body);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    /** The JSON-RPC method of every POST, in order. */
    methods,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  };
}

/**
 * An older server nobody here wrote the protocol of: bench/peer/server.mjs on the official
 * TypeScript SDK v1 (1.32), which speaks only 2025-11-25 (Streamable HTTP sessions on /mcp, legacy
 * HTTP+SSE on /sse). It runs on the SDK the interop fixture installed: a copy of the script in a
 * temp dir whose node_modules points at tests/interop/node_modules.
 */
export async function startSdkV1Peer() {
  const repo = new URL('../../../', import.meta.url).pathname;
  const modules = join(repo, 'tests/interop/node_modules');
  if (!existsSync(join(modules, '@modelcontextprotocol/sdk/package.json')))
    throw new Error(`${modules} lacks @modelcontextprotocol/sdk: run tests/interop/install.sh (ctest fixture npm)`);
  const dir = mkdtempSync(join(tmpdir(), 'koan-ts-peer-'));
  copyFileSync(join(repo, 'bench/peer/server.mjs'), join(dir, 'server.mjs'));
  symlinkSync(modules, join(dir, 'node_modules'));
  const port = await freePort();
  const child = spawn(process.execPath, ['server.mjs', '--port', String(port)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; ++i) {
    if (child.exitCode !== null) throw new Error(`the SDK peer exited ${child.exitCode}:\n${log}`);
    try { if ((await fetch(`${base}/health`)).ok) break; } catch {}
    if (i > 150) throw new Error(`the SDK peer did not start:\n${log}`);
    await sleep(100);
  }
  return {
    base, port,
    dispose: () => new Promise((resolve) => {
      const done = () => { rmSync(dir, { recursive: true, force: true }); resolve(); };
      if (child.exitCode !== null) return done();
      child.once('exit', done);
      child.kill('SIGTERM');
    }),
  };
}

/** The POSTs in a proxy's `sent()` bytes: [{ headers (lower-case names), body (parsed JSON) }]. */
export function postedMessages(sent) {
  const out = [];
  const re = /POST [^ ]+ HTTP\/1\.1\r\n/g;
  for (let m; (m = re.exec(sent)); ) {
    const headEnd = sent.indexOf('\r\n\r\n', m.index);
    const headers = Object.fromEntries(sent.slice(m.index, headEnd).split('\r\n').slice(1)
      .map((l) => [l.slice(0, l.indexOf(':')).trim().toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    const body = Buffer.from(sent.slice(headEnd + 4, headEnd + 4 + length), 'latin1').toString('utf8');
    out.push({ headers, body: JSON.parse(body) });
  }
  return out;
}

/**
 * A 2026-07-28-only server nobody here wrote the protocol of: tests/interop/sdk-v2-server.mjs on the
 * official TypeScript SDK v2 (createMcpHandler, legacy: 'reject'), from the interop fixture's packages.
 * Tools echo, confirm-deploy (an MRTR elicitation round), touch (resources/updated); resource test://note.
 */
export async function startSdkV2Server() {
  const interop = new URL('../../../tests/interop/', import.meta.url).pathname;
  if (!existsSync(join(interop, 'node_modules/@modelcontextprotocol/server/package.json')))
    throw new Error(`${interop}node_modules lacks @modelcontextprotocol/server: run tests/interop/install.sh (ctest fixture npm)`);
  const port = await freePort();
  const child = spawn(process.execPath, ['sdk-v2-server.mjs', '--port', String(port)], { cwd: interop, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => { log += d; });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; ++i) {
    if (child.exitCode !== null) throw new Error(`sdk-v2-server exited ${child.exitCode}:\n${log}`);
    try { if ((await fetch(`${base}/health`)).ok) break; } catch {}
    if (i > 150) throw new Error(`sdk-v2-server did not start:\n${log}`);
    await sleep(100);
  }
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  return { base, port, stop, dispose: stop };
}
