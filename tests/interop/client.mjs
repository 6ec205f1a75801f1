// Drives koan-mcp with the official TypeScript SDK client over one transport and checks the results.
//   node client.mjs stdio <koan-mcp> [server args...]
//   node client.mjs sse|http <url>
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [kind, target, ...rest] = process.argv.slice(2);
const connect = async (headers = {}) => {
  const init = { headers };
  const transport = kind === 'stdio' ? new StdioClientTransport({ command: target, args: rest, stderr: 'ignore' })
    : kind.startsWith('sse') ? new SSEClientTransport(new URL(target), { requestInit: init, eventSourceInit: {
        fetch: (url, options) => fetch(url, { ...options, headers: { ...options?.headers, ...headers } }) } })
    : new StreamableHTTPClientTransport(new URL(target), { requestInit: init });
  const c = new Client({ name: 'koan-interop', version: '1.0.0' }, { capabilities: {} });
  await c.connect(transport);
  return c;
};

if (kind.endsWith('-auth')) {
  // Authentication on: without a token the SDK is refused; with a dev token (clinical:operations)
  // it sees exactly the tools its scope allows, and a safety tool is denied.
  await assert.rejects(connect(), /401|Unauthorized/i);
  const authed = await connect({ Authorization: `Bearer ${process.env.KOAN_TOKEN}` });
  const visible = (await authed.listTools()).tools.map((t) => t.name);
  assert.equal(visible.length, 27, visible.join(' '));
  assert.ok(visible.every((n) => /^(trial-site|participant-visit|monitoring-note)\./.test(n)), visible.join(' '));
  const site = await authed.callTool({ name: 'trial-site.get-by-id', arguments: { id: 'site-boston' } });
  assert.equal(site.structuredContent.item.id, 'site-boston');
  await assert.rejects(authed.callTool({ name: 'adverse-event-report.collection', arguments: {} }), /clinical:safety|forbidden|not allowed/i);
  await authed.close();
  console.log(`interop ${kind}: OK (401 without a token; 27 tools and a denied safety tool with one)`);
  process.exit(0);
}

const client = await connect();
assert.equal(client.getServerVersion().name, 'koan-mcp');

// Page through tools/list as a careful client does.
const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor);
const names = tools.map((t) => t.name);
assert.equal(new Set(names).size, names.length, 'tool names are unique');
for (const entity of ['trial-site', 'participant-visit', 'adverse-event-report', 'monitoring-note', 'protocol-document'])
  for (const op of ['collection', 'get-by-id', 'upsert', 'upsert-many', 'patch', 'delete', 'delete-many', 'delete-all'])
    assert.ok(names.includes(`${entity}.${op}`), `${entity}.${op} listed`);

// The SDK validates structuredContent against each tool's outputSchema.
const list = await client.callTool({ name: 'trial-site.collection', arguments: { pageSize: 2, sort: 'name' } });
assert.ok(!list.isError, JSON.stringify(list));
assert.equal(list.structuredContent.items.length, 2);
assert.ok(list.structuredContent.total >= 3);
const created = await client.callTool({ name: 'monitoring-note.upsert', arguments: { model: {
  trialSiteId: 'site-boston', summary: `interop over ${kind}`, enteredBy: 'interop' } } });
assert.ok(!created.isError, JSON.stringify(created));
const id = created.structuredContent.item.id;
const got = await client.callTool({ name: 'monitoring-note.get-by-id', arguments: { id } });
assert.equal(got.structuredContent.item.summary, `interop over ${kind}`);
const bad = await client.callTool({ name: 'trial-site.upsert', arguments: { model: { name: 'x', enrollmentTarget: 'ten' } } });
assert.equal(bad.isError, true);
assert.match(bad.content[0].text, /enrollmentTarget/);
await assert.rejects(client.callTool({ name: 'no-such.tool', arguments: {} }), /Unknown tool/);
assert.deepEqual(await client.ping(), {});
await client.close();
console.log(`interop ${kind}: OK (${names.length} tools listed, calls, errors and ping checked)`);
