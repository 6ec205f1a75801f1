#!/usr/bin/env node
// Benchmark peer on the official TypeScript SDK v2: createMcpHandler (a server instance per
// request, the SDK's stateless 2026-07-28 serving) with one tool equivalent to koan-mcp's
// trial-site.get-by-id (an in-memory lookup returning text + structuredContent), mounted on
// node:http with toNodeHandler. subscriptions/listen streams are served by the handler itself.
// Usage: node server-v2.mjs --port N        (Node >= 20; GET /health answers 200 for wait_up)
import http from 'node:http';
import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { toNodeHandler } from '@modelcontextprotocol/node';
import * as z from 'zod';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] || 3102);
const sites = new Map([['site-boston', { id: 'site-boston', name: 'Boston General Research Center', location: 'Boston, USA',
  principalInvestigator: 'Dr. Maya Chen', enrollmentTarget: 120, currentEnrollment: 84, regulatoryStatus: 'Approved' }]]);

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'bench-peer-v2', version: '1.0.0' });
  server.registerTool('trial-site.get-by-id', {
    description: 'Get one TrialSite by id.',
    inputSchema: z.object({ id: z.string() }),
  }, async ({ id }) => {
    const site = sites.get(id);
    if (!site) {
      const error = { code: 'not_found', message: `TrialSite ${id} not found` };
      return { content: [{ type: 'text', text: `${error.code}: ${error.message}` }], structuredContent: { error }, isError: true };
    }
    return { content: [{ type: 'text', text: JSON.stringify(site) }], structuredContent: site };
  });
  return server;
}, { legacy: 'reject', maxSubscriptions: 20000 });
const mcp = toNodeHandler(handler);

http.createServer((req, res) => {
  if (req.url === '/health') { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); return; }
  if (req.url === '/mcp' || req.url.startsWith('/mcp?')) { mcp(req, res); return; }
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: 'not_found' }));
}).listen(port, '127.0.0.1', () => console.error(`bench peer v2 on http://127.0.0.1:${port}/mcp`));
