#!/usr/bin/env node
// A 2026-07-28 MCP server nobody here wrote the protocol of, for the client SDKs' tests
// (clients/python, clients/typescript): the official TypeScript SDK v2 (@modelcontextprotocol/server,
// the version this fixture's lock pins), modern-only (createMcpHandler with legacy: 'reject'), on
// node:http through a few lines of Request/Response glue (the Node adapter package is not installed here).
//   echo {text}            a plain call
//   regional-echo {region, text}  region marked x-mcp-header: Region (mirrored as Mcp-Param-Region)
//   bad-header {amount}    x-mcp-header on a number, which the spec forbids (clients leave it out)
//   confirm-deploy {env}   asks for a confirmation first (an MRTR input_required round, elicitation)
//   touch {uri}            publishes notifications/resources/updated for uri to the listen streams
//   resource test://note   a text resource
// Usage: node sdk-v2-server.mjs --port N        (GET /health answers 200)
import http from 'node:http';
import { McpServer, acceptedContent, createMcpHandler, inputRequired } from '@modelcontextprotocol/server';
import * as z from 'zod';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('--port') + 1] || 3103);

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: 'sdk-v2-peer', version: '1.0.0' }, { capabilities: { resources: { subscribe: true } } });
  server.registerTool('echo', { description: 'Echoes its text.', inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: 'text', text }], structuredContent: { text } }));
  // x-mcp-header: the client must mirror `region` into Mcp-Param-Region (the SDK checks it against the body).
  server.registerTool('regional-echo', { description: 'Echoes its text for a region.',
    inputSchema: z.object({ region: z.string().meta({ 'x-mcp-header': 'Region' }), text: z.string() }) },
  async ({ region, text }) => ({ content: [{ type: 'text', text: `${region}: ${text}` }] }));
  // A mark the spec forbids (on a number): clients must leave this tool out of tools/list.
  server.registerTool('bad-header', { description: 'x-mcp-header on a number.',
    inputSchema: z.object({ amount: z.number().meta({ 'x-mcp-header': 'Amount' }) }) },
  async () => ({ content: [{ type: 'text', text: 'should not be listed' }] }));
  server.registerTool('confirm-deploy', { description: 'Deploys once the user confirms.', inputSchema: z.object({ env: z.string() }) },
    async ({ env }, ctx) => {
      const schema = z.object({ confirm: z.boolean() });
      const answer = acceptedContent(ctx.mcpReq.inputResponses, 'confirm', schema);
      if (answer?.confirm !== true)
        return inputRequired({ inputRequests: { confirm: inputRequired.elicit({ message: `Deploy to ${env}?`, requestedSchema: schema }) } });
      return { content: [{ type: 'text', text: `deployed to ${env}` }] };
    });
  server.registerTool('touch', { description: 'Announces a change of a resource.', inputSchema: z.object({ uri: z.string() }) },
    async ({ uri }) => {
      handler.notify.resourceUpdated(uri);
      return { content: [{ type: 'text', text: `touched ${uri}` }] };
    });
  server.registerResource('note', 'test://note', { mimeType: 'text/plain' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'a note' }] }));
  return server;
}, { legacy: 'reject' });

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);
http.createServer(async (req, res) => {
  if (req.url === '/health') return res.end('ok');
  try {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const abort = new AbortController();
    res.on('close', () => abort.abort()); // a closed response is the request's cancellation
    const headers = Object.entries(req.headers).filter(([k]) => !HOP.has(k)).map(([k, v]) => [k, String(v)]);
    const response = await handler.fetch(new Request(`http://127.0.0.1:${port}${req.url}`, {
      method: req.method, headers, signal: abort.signal,
      body: ['GET', 'HEAD'].includes(req.method) ? undefined : Buffer.concat(chunks),
    }));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (response.body) for await (const chunk of response.body) res.write(chunk);
    res.end();
  } catch (err) {
    if (!res.headersSent) res.writeHead(500).end(String(err));
    else res.destroy();
  }
}).listen(port, '127.0.0.1', () => console.error(`[sdk-v2-server] listening on http://127.0.0.1:${port}`));

process.on('SIGTERM', async () => { await handler.close(); process.exit(0); });
