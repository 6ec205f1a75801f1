#!/usr/bin/env node
// Benchmark peer: the official TypeScript SDK serving legacy HTTP+SSE (GET /sse, POST /messages)
// and Streamable HTTP (/mcp) with one tool equivalent to koan-mcp's trial-site.get-by-id
// (an in-memory lookup returning text + structuredContent). Usage: node server.mjs --port N [--tls cert key]
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

function makeServer() {
  const server = new Server({ name: 'koan-bench-peer', version: '1.0.0' }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [tool] }));
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    if (req.params.name !== tool.name) throw new McpError(ErrorCode.InvalidParams, `Unknown tool: ${req.params.name}`);
    const item = sites.get(req.params.arguments?.id);
    if (!item) return { content: [{ type: 'text', text: 'not found' }], isError: true };
    const structured = { item };
    return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
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
