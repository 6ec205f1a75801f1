// Drives koan-mcp with the official TypeScript SDK v2 client (@modelcontextprotocol/client 2.4.0)
// pinned to 2026-07-28: server/discover, stateless calls, a subscriptions/listen stream.
//   node client-v2.mjs <url of /mcp>
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';

const [url] = process.argv.slice(2);
const connect = async (name) => {
  const c = new Client({ name, version: '1.0.0' }, { capabilities: {}, versionNegotiation: { mode: { pin: '2026-07-28' } } });
  await c.connect(new StreamableHTTPClientTransport(new URL(url)));
  return c;
};

const client = await connect('koan-interop-v2');
const tools = [];
let cursor;
do {
  const page = await client.listTools(cursor ? { cursor } : {});
  tools.push(...page.tools);
  cursor = page.nextCursor;
} while (cursor);
assert.ok(tools.some((t) => t.name === 'trial-site.get-by-id'), tools.map((t) => t.name).join(' '));
const site = await client.callTool({ name: 'trial-site.get-by-id', arguments: { id: 'site-osaka' } });
assert.equal(site.structuredContent.item.id, 'site-osaka');

const read = await client.readResource({ uri: 's12://trial-site/site-osaka' });
const record = JSON.parse(read.contents[0].text);
assert.equal(record.id, 'site-osaka');
assert.equal(read._meta.version, record.version);
await assert.rejects(client.readResource({ uri: 's12://trial-site/no-such-site' }), /not found/i);
const prompt = await client.getPrompt({ name: 'site-monitoring-summary', arguments: { siteId: 'site-lyon' } });
const embedded = prompt.messages.filter((m) => m.content.type === 'resource').map((m) => m.content.resource.uri);
assert.ok(embedded.includes('s12://trial-site/site-lyon') && embedded.includes('s12://adverse-event-report/ae-0002'),
  embedded.join(' '));
const completion = await client.complete({ ref: { type: 'ref/prompt', name: 'site-monitoring-summary' },
  argument: { name: 'siteId', value: 'site-o' } });
assert.deepEqual(completion.completion.values, ['site-osaka']);

// A listen stream for one record; another client's write -> notifications/resources/updated.
const uri = 's12://trial-site/site-osaka';
const updated = new Promise((resolve) => client.setNotificationHandler('notifications/resources/updated', (n) => {
  if (n.params.uri === uri) resolve(n.params.uri);
}));
const subscription = await client.listen({ resourceSubscriptions: [uri] });
assert.deepEqual(subscription.honoredFilter.resourceSubscriptions, [uri]);
const writer = await connect('koan-interop-v2-writer');
const patched = await writer.callTool({ name: 'trial-site.patch', arguments: { id: 'site-osaka',
  patch: [{ op: 'replace', path: '/currentEnrollment', value: record.currentEnrollment + 1 }] } });
assert.ok(!patched.isError, JSON.stringify(patched));
const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('no resources/updated within 5 s')), 5000));
assert.equal(await Promise.race([updated, timeout]), uri);
await subscription.close();
await writer.close();
await client.close();
console.log(`interop v2 (2026-07-28): OK (${tools.length} tools, a call, resources, a prompt, completion and a `
  + 'resource update on a listen stream after another client\'s write)');
process.exit(0);
