// Drives koan-mcp with the official TypeScript SDK client over one transport and checks the results.
//   node client.mjs stdio <koan-mcp> [server args...]
//   node client.mjs sse|http <url>
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';

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
  assert.equal(visible.length, 30, visible.join(' '));
  assert.ok(visible.every((n) => /^(trial-site|participant-visit|monitoring-note)\./.test(n)), visible.join(' '));
  const site = await authed.callTool({ name: 'trial-site.get-by-id', arguments: { id: 'site-boston' } });
  assert.equal(site.structuredContent.item.id, 'site-boston');
  await assert.rejects(authed.callTool({ name: 'adverse-event-report.collection', arguments: {} }), /clinical:safety|forbidden|not allowed/i);
  await authed.close();
  console.log(`interop ${kind}: OK (401 without a token; 30 tools (10 per entity) and a denied safety tool with one)`);
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

// Resources: the records as s12:// resources, read with their version.
const listed = await client.listResources();
assert.ok(listed.resources.some((r) => r.uri === 's12://trial-site/site-boston'), JSON.stringify(listed));
const templates = await client.listResourceTemplates();
assert.ok(templates.resourceTemplates.some((t) => t.uriTemplate === 's12://adverse-event-report/{id}'));
const read = await client.readResource({ uri: 's12://trial-site/site-boston' });
const record = JSON.parse(read.contents[0].text);
assert.equal(record.id, 'site-boston');
assert.equal(read._meta.version, record.version);
// Prompts: the triage prompt embeds the report and its site; its argument completes.
const prompt = await client.getPrompt({ name: 'adverse-event-triage', arguments: { reportId: 'ae-0001' } });
const embedded = prompt.messages.filter((m) => m.content.type === 'resource').map((m) => m.content.resource.uri);
assert.deepEqual(embedded, ['s12://adverse-event-report/ae-0001', 's12://trial-site/site-boston']);
const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'adverse-event-triage' },
  argument: { name: 'reportId', value: 'ae-' } });
assert.deepEqual(completion.completion.values, ['ae-0001', 'ae-0002']);

// Subscriptions: resources/subscribe, then a write by another client (or, on STDIO, where a
// process serves one client, by this one) -> notifications/resources/updated.
const uri = 's12://trial-site/site-lyon';
const updated = new Promise((resolve) => client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
  if (n.params.uri === uri) resolve(n.params.uri);
}));
await client.subscribeResource({ uri });
const writer = kind === 'stdio' ? client : await connect();
const before = JSON.parse((await client.readResource({ uri })).contents[0].text);
const patched = await writer.callTool({ name: 'trial-site.patch', arguments: { id: 'site-lyon',
  patch: [{ op: 'replace', path: '/currentEnrollment', value: before.currentEnrollment + 1 }] } });
assert.ok(!patched.isError, JSON.stringify(patched));
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no resources/updated within 5 s')), 5000));
assert.equal(await Promise.race([updated, timeout]), uri);
if (writer !== client) await writer.close();
await client.close();
console.log(`interop ${kind}: OK (${names.length} tools listed, calls, errors, ping, resources, prompts, completion `
  + 'and a resource update after a write checked)');
process.exit(0);
