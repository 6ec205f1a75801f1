// `npm pack` gives a tarball that installs offline into a fresh project, and the Node example
// runs from that install against the real koan-mcp.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startServer } from './server.mjs';

const root = new URL('..', import.meta.url).pathname;
const npm = (args, cwd) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8' });
let server, work;

before(async () => {
  server = await startServer(['--set', 'RequireAuthentication=true']);
  work = mkdtempSync(join(tmpdir(), 'koan-ts-pack-'));
});
after(async () => { await server.dispose(); rmSync(work, { recursive: true, force: true }); });

test('npm pack → npm install → the example lists and calls tools', async () => {
  const [info] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], root));
  const files = info.files.map((f) => f.path);
  assert.ok(files.includes('dist/index.js') && files.includes('dist/index.d.ts') && files.includes('README.md'), files.join(' '));
  assert.ok(!files.some((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('node_modules/')), files.join(' '));

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  npm(['install', '--offline', join(work, info.filename)], app);
  const installed = JSON.parse(readFileSync(join(app, 'node_modules/@koan/mcp-client/package.json'), 'utf8'));
  assert.equal(installed.name, '@koan/mcp-client');
  copyFileSync(join(root, 'examples/list-and-call.mjs'), join(app, 'list-and-call.mjs'));

  const token = await server.token('example', 'clinical:operations');
  for (const url of [`${server.base}/mcp`, `${server.base}/mcp/sse`]) {
    const out = execFileSync(process.execPath, ['list-and-call.mjs', url, 'trial-site.get-by-id', '{"id":"site-boston"}'],
      { cwd: app, encoding: 'utf8', env: { ...process.env, KOAN_TOKEN: token } });
    assert.match(out, /^connected to koan-mcp /m);
    assert.match(out, /^30 tools: /m);
    assert.match(out, /Boston General Research Center/);
  }
  // Without a token the example reports the typed error and exits 2.
  let failed;
  try {
    execFileSync(process.execPath, ['list-and-call.mjs', `${server.base}/mcp`], { cwd: app, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, KOAN_TOKEN: '' } });
  } catch (err) { failed = err; }
  assert.equal(failed?.status, 2);
  assert.match(failed.stderr, /AuthError: authentication failed \(HTTP 401\)/);
});
