#!/usr/bin/env node
// Lists the tools of a koan-mcp server and calls one.
//   node examples/list-and-call.mjs [url] [tool] [json-arguments]
//   KOAN_TOKEN=$(koan-mcp token --sub me --scope clinical:operations) node examples/list-and-call.mjs
// …/mcp speaks 2026-07-28 when the server offers it (else a 2025 session); …/mcp/sse is legacy HTTP+SSE.
import { KoanMcpClient, McpClientError } from '@koan/mcp-client';

const [url = 'http://127.0.0.1:5114/mcp', tool = 'trial-site.collection', args = '{"pageSize":3}'] = process.argv.slice(2);
const client = new KoanMcpClient({ url, token: process.env.KOAN_TOKEN || undefined });
try {
  const init = await client.connect();
  console.log(`connected to ${init.serverInfo.name} ${init.serverInfo.version} (protocol ${init.protocolVersion}, ${client.era} era, ${client.transportKind})`);
  const tools = await client.listTools();
  console.log(`${tools.length} tools: ${tools.map((t) => t.name).join(', ')}`);
  const result = await client.callTool(tool, JSON.parse(args));
  console.log(JSON.stringify(result.structuredContent ?? result.content, null, 2));
  process.exitCode = result.isError ? 1 : 0;
} catch (err) {
  // Typed errors: RpcError (code), AuthError (status, wwwAuthenticate), HttpError, NetworkError, …
  console.error(err instanceof McpClientError ? `${err.name}: ${err.message}` : err);
  process.exitCode = 2;
} finally {
  await client.close();
}
