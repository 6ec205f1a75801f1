// The Postman collection of docs/postman, checked two ways:
//   node run-collection.mjs validate <collection.json> <schema.json>
//       against the Postman Collection v2.1.0 schema (ajv, offline), plus broken copies that must fail
//       and the project's rules (every request has a status test; only variables the collection defines)
//   node run-collection.mjs run <collection.json> [--var key=value ...] [--cacert FILE] [--expect-legacy-end REASON]
//       every request in order against a live koan-mcp, like Postman's runner: {{variables}} substituted,
//       bearer auth inherited from folder/collection (no header when the token is empty), each item's
//       "test" script run with a small pm API (pm.test, pm.expect, pm.response, pm.collectionVariables).
//       GET requests that accept text/event-stream are opened as streams: their tests run once the first
//       event is in, and they stay open until the end; a legacy POST's JSON-RPC answer must then arrive on
//       the stream that announced its endpoint. Exit 1 on any failed test or unexpected status.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import vm from 'node:vm';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [mode, collectionFile, ...rest] = process.argv.slice(2);
const collection = JSON.parse(fs.readFileSync(collectionFile, 'utf8'));

function* requests(items, chain = []) {
  for (const it of items) {
    if (Array.isArray(it.item)) yield* requests(it.item, [...chain, it]);
    else yield { item: it, chain };
  }
}

if (mode === 'validate') {
  const Ajv = require('ajv');
  const schema = JSON.parse(fs.readFileSync(rest[0], 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  const problems = [];
  if (!validate(collection))
    problems.push(...validate.errors.map(e => `schema: ${e.instancePath || '/'} ${e.message}`));
  // The validator must reject broken collections, or the check above proves nothing.
  const broken = {
    'info without name': c => { delete c.info.name; },
    'a v2.0.0 schema URL': c => { c.info.schema = 'https://schema.getpostman.com/json/collection/v2.0.0/collection.json'; },
    'an unknown body mode': c => { c.item[1].item[1].request.body.mode = 'yaml'; },
    'a header without value': c => { c.item[1].item[1].request.header = [{ key: 'Content-Type' }]; },
    'an item with neither request nor item': c => { c.item.push({ name: 'empty' }); },
    'an unknown auth type': c => { c.auth.type = 'magic'; },
    'a variable without key or id': c => { c.variable.push({ value: 'x' }); },
  };
  for (const [what, mutate] of Object.entries(broken)) {
    const copy = structuredClone(collection);
    mutate(copy);
    if (validate(copy)) problems.push(`the schema accepted a collection with ${what}`);
  }
  // Project rules: every request checks its status; every {{variable}} is defined.
  const defined = new Set(collection.variable.map(v => v.key));
  let count = 0;
  for (const { item } of requests(collection.item)) {
    count++;
    const script = (item.event || []).filter(e => e.listen === 'test').flatMap(e => e.script.exec).join('\n');
    if (!/to\.have\.status\(\d{3}\)/.test(script)) problems.push(`${item.name}: no status test`);
  }
  for (const [, name] of JSON.stringify(collection).matchAll(/\{\{(\w+)\}\}/g))
    if (!defined.has(name)) problems.push(`{{${name}}} is used but not a collection variable`);
  for (const p of problems) console.log('FAIL:', p);
  console.log(`validated ${collectionFile}: ${count} requests, v2.1.0 schema ${problems.length ? 'FAILED' : 'ok'}, ` +
              `${Object.keys(broken).length} broken copies rejected`);
  process.exit(problems.length ? 1 : 0);
}

if (mode !== 'run') {
  console.error('usage: run-collection.mjs validate <collection> <schema> | run <collection> [--var k=v] [--cacert FILE]');
  process.exit(2);
}

const vars = new Map(collection.variable.map(v => [v.key, String(v.value ?? '')]));
let ca, expectLegacyEnd;
for (let i = 0; i < rest.length; i++) {
  if (rest[i] === '--var') { const [k, ...v] = rest[++i].split('='); vars.set(k, v.join('=')); }
  else if (rest[i] === '--cacert') ca = fs.readFileSync(rest[++i]);
  else if (rest[i] === '--expect-legacy-end') expectLegacyEnd = rest[++i];
}
const subst = s => String(s ?? '').replace(/\{\{(\w+)\}\}/g, (_, k) => vars.get(k) ?? '');

function authHeader(item, chain) {
  const auth = [item.request.auth, ...chain.map(c => c.auth).reverse(), collection.auth].find(a => a);
  if (!auth || auth.type === 'noauth') return undefined;
  if (auth.type !== 'bearer') throw new Error(`${item.name}: auth ${auth.type} is not supported by this runner`);
  const token = subst(auth.bearer.find(a => a.key === 'token')?.value);
  return token ? `Bearer ${token}` : undefined;
}

const streams = []; // { path, text, res, req, ended }
const firstEvent = /\r?\n\r?\n/;

function send(item, chain) {
  const r = item.request;
  const url = new URL(subst(typeof r.url === 'string' ? r.url : r.url.raw));
  const headers = {};
  for (const h of r.header || []) if (!h.disabled) headers[h.key] = subst(h.value);
  const auth = authHeader(item, chain);
  if (auth) headers.Authorization = auth;
  const body = r.body?.mode === 'raw' ? Buffer.from(subst(r.body.raw)) : undefined;
  if (body) headers['Content-Length'] = body.length;
  const method = r.method || 'GET';
  const streaming = method === 'GET' && /text\/event-stream/.test(headers.Accept || '');
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method, headers, ca, timeout: 10000 }, res => {
      const chunks = [];
      const isStream = streaming && res.statusCode === 200 && /text\/event-stream/.test(res.headers['content-type'] || '');
      if (!isStream) {
        res.on('data', c => chunks.push(c));
        res.on('end', () => resolve({ res, text: Buffer.concat(chunks).toString('utf8') }));
        return;
      }
      const stream = { path: url.pathname + url.search, text: '', res, req, ended: false };
      streams.push(stream);
      let done = false;
      const finish = () => { if (!done) { done = true; resolve({ res, text: stream.text }); } };
      res.setEncoding('utf8');
      res.on('data', c => { stream.text += c; if (firstEvent.test(stream.text)) finish(); });
      res.on('end', () => { stream.ended = true; finish(); });
      setTimeout(finish, 2000); // a stream that sends nothing yet: its tests see the headers only
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// Just enough of Postman's sandbox API for the collection's scripts.
function expect(actual) {
  const fail = msg => { throw new Error(`expected ${JSON.stringify(actual)} ${msg}`); };
  const deepEq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const api = {
    equal: x => { if (actual !== x) fail(`to equal ${JSON.stringify(x)}`); },
    eql: x => { if (!deepEq(actual, x)) fail(`to deeply equal ${JSON.stringify(x)}`); },
    include: x => { if (actual == null || !actual.includes(x)) fail(`to include ${JSON.stringify(x)}`); },
    match: re => { if (!re.test(actual)) fail(`to match ${re}`); },
    get ok() { if (!actual) fail('to be truthy'); return true; },
  };
  api.be = api; api.to = api;
  return api;
}

function runTests(item, response) {
  const results = [];
  const headers = response.res.headers;
  const pm = {
    test: (name, fn) => { try { fn(); results.push({ name, ok: true }); } catch (e) { results.push({ name, ok: false, error: e.message }); } },
    expect,
    response: {
      code: response.res.statusCode,
      headers: { get: name => { const v = headers[name.toLowerCase()]; return Array.isArray(v) ? v.join(', ') : v; } },
      text: () => response.text,
      json: () => JSON.parse(response.text),
      to: { have: { status: n => { if (response.res.statusCode !== n) throw new Error(`expected status ${n}, got ${response.res.statusCode}: ${response.text.slice(0, 300)}`); } } },
    },
    collectionVariables: { get: k => vars.get(k), set: (k, v) => vars.set(k, String(v)) },
    variables: { get: k => vars.get(k) },
  };
  const code = (item.event || []).filter(e => e.listen === 'test' && !e.disabled).flatMap(e => e.script.exec).join('\n');
  try { vm.runInNewContext(code, { pm, JSON, console }, { timeout: 2000 }); }
  catch (e) { results.push({ name: 'script', ok: false, error: e.message }); }
  return results;
}

// A legacy POST is answered on the stream that announced its endpoint: wait for the JSON-RPC answer.
async function legacyAnswer(item) {
  const r = item.request;
  if (!/\/mcp\/rpc$/.test(new URL(subst(r.url.raw)).pathname)) return null;
  const msg = JSON.parse(subst(r.body.raw));
  if (msg.id === undefined) return null;
  const path = new URL(subst(r.url.raw));
  const stream = streams.find(s => s.text.includes(`data: ${path.pathname}${path.search}`));
  if (!stream) return { name: 'answer on the legacy stream', ok: false, error: 'no open stream announced this endpoint' };
  const answered = () => stream.text.split(/\r?\n\r?\n/).some(ev => /^event: message$/m.test(ev) &&
    ev.split(/\r?\n/).filter(l => l.startsWith('data: ')).some(l => { try { const o = JSON.parse(l.slice(6)); return o.id === msg.id && (o.result || o.error); } catch { return false; } }));
  for (let i = 0; i < 50 && !answered(); i++) await new Promise(res => setTimeout(res, 100));
  return answered() ? { name: `answer to id ${msg.id} on the legacy stream`, ok: true }
                    : { name: `answer to id ${msg.id} on the legacy stream`, ok: false, error: stream.text.slice(-500) };
}

let failed = 0, count = 0;
for (const { item, chain } of requests(collection.item)) {
  count++;
  const where = [...chain.map(c => c.name), item.name].join(' / ');
  let results;
  try {
    const response = await send(item, chain);
    results = runTests(item, response);
    const answer = await legacyAnswer(item);
    if (answer) results.push(answer);
    console.log(`${results.every(r => r.ok) ? 'ok  ' : 'FAIL'} ${item.request.method} ${response.res.statusCode} ${where}`);
  } catch (e) {
    results = [{ name: 'request', ok: false, error: e.message }];
    console.log(`FAIL ${item.request.method} ${where}`);
  }
  for (const r of results.filter(r => !r.ok)) { failed++; console.log(`     ${r.name}: ${r.error}`); }
}
if (expectLegacyEnd) {
  const legacy = streams.filter(s => s.path.startsWith('/mcp/sse'));
  for (const s of legacy) await new Promise(res => { if (s.ended) res(); else { s.res.on('end', res); setTimeout(res, 3000); } });
  for (const s of legacy) {
    const ok = s.ended && new RegExp(`^event: end\\r?\\ndata: .*"${expectLegacyEnd}"`, 'm').test(s.text);
    console.log(`${ok ? 'ok  ' : 'FAIL'} legacy stream ${s.path} ended with ${expectLegacyEnd}`);
    if (!ok) { failed++; console.log(s.text.slice(-400)); }
  }
  if (!legacy.length) { failed++; console.log('FAIL no legacy stream was opened'); }
}
for (const s of streams) s.req.destroy();
console.log(`${count} requests, ${failed ? failed + ' failed checks' : 'all checks passed'}`);
process.exit(failed ? 1 : 0);
