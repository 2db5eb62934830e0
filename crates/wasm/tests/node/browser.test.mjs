// The `web` build (ES module + init()) loaded from a static page in headless Chromium via playwright-core.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const project = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const webDir = path.join(project, 'node_modules/stagecraft-validator/web');
const require = createRequire(path.join(process.env.STAGECRAFT_ROOT, 'package.json'));
const { chromium } = require('playwright-core');

const page = `<!doctype html>
<meta charset="utf-8"><title>stagecraft-validator web build</title>
<script type="module">
  import init, { validateStage, diffStages, applyPatch, methodSettingKey, methodSettingFields } from './pkg/stagecraft_wasm.js';
  try {
    await init();
    const report = validateStage({ methodSettings: { '*/*': { cacheTtlInSeconds: 4000 } } });
    let error;
    try { applyPatch({}, [{ op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '4000' }]); }
    catch (e) { error = { isError: e instanceof Error, name: e.name, message: e.message }; }
    let cyclic;
    const doc = {}; doc.self = doc;
    const full = (ttl) => ({ metricsEnabled: false, dataTraceEnabled: false, throttlingBurstLimit: 5000,
      throttlingRateLimit: 10000, cachingEnabled: false, cacheTtlInSeconds: ttl, cacheDataEncrypted: false,
      requireAuthorizationForCacheControl: true, unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITH_RESPONSE_HEADER' });
    try { validateStage(doc); } catch (e) { cyclic = e.constructor.name; }
    window.__result = {
      report, error, cyclic,
      key: methodSettingKey('/pets/{petId}', 'get'),
      ops: diffStages({ deploymentId: 'a' }, { deploymentId: 'b' }),
      // An entry the pre-pass (a local JS snippet) leaves out of the crossing: identical and complete.
      reduced: diffStages(
        { methodSettings: { '~1a/GET': full(60), '~1b/GET': full(60) } },
        { methodSettings: { '~1a/GET': full(60), '~1b/GET': full(90) } }),
      fields: methodSettingFields().length,
    };
  } catch (e) {
    window.__result = { failed: String(e && e.stack || e) };
  }
</script>`;

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

test('the web build works in headless Chromium from a static page', async () => {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let file;
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(page);
    }
    // The build and its local JS snippets (`pkg/snippets/…`), nothing outside it.
    if (url.pathname.startsWith('/pkg/')) file = path.join(webDir, path.normalize(decodeURIComponent(url.pathname.slice(5))));
    if (file && !file.startsWith(webDir + path.sep)) file = undefined;
    if (!file || !fs.existsSync(file)) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const tab = await browser.newPage();
    const logs = [];
    tab.on('console', (m) => logs.push(m.text()));
    tab.on('pageerror', (e) => logs.push(String(e)));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.__result, null, { timeout: 30000 });
    const r = await tab.evaluate(() => window.__result);
    assert.equal(r.failed, undefined, `${r.failed}\n${logs.join('\n')}`);
    assert.equal(r.report.valid, false);
    assert.equal(r.report.errors[0].message, 'Invalid time-to-live setting, must be an integer no greater than 3600');
    assert.deepEqual(r.error, { isError: true, name: 'BadRequestException', message: 'Invalid time-to-live setting, must be an integer no greater than 3600' });
    assert.equal(r.cyclic, 'TypeError');
    assert.equal(r.key, '~1pets~1{petId}/GET');
    assert.deepEqual(r.ops, [{ op: 'replace', path: '/deploymentId', value: 'b' }]);
    assert.deepEqual(r.reduced, [{ op: 'replace', path: '/~1b/GET/caching/ttlInSeconds', value: '90' }]);
    assert.equal(r.fields, 10);
  } finally {
    await browser.close();
    server.close();
  }
});
