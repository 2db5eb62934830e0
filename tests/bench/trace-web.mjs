// Diagnostic: Chromium trace of keystrokes at 1,000 overrides; prints time per trace event name.
// Not part of the benchmark; run by hand: node tests/bench/trace-web.mjs [--star] (the */* TTL instead of one override's)
import { revealRow, setup } from '../e2e/harness.mjs';
import { mkdirSync, readFileSync } from 'node:fs';

const STAR = process.argv.includes('--star');

const env = await setup();
try {
  const code = `
api = c.create_rest_api(name='bench-1000')['id']
root = next(r['id'] for r in c.get_resources(restApiId=api)['items'] if r['path'] == '/')
keys = []
for i in range(250):
    rid = c.create_resource(restApiId=api, parentId=root, pathPart=f'r{i:04d}')['id']
    for v in ['GET', 'POST', 'PUT', 'DELETE']:
        c.put_method(restApiId=api, resourceId=rid, httpMethod=v, authorizationType='NONE')
        c.put_integration(restApiId=api, resourceId=rid, httpMethod=v, type='MOCK')
        keys.append(f'~1r{i:04d}/{v}')
c.create_deployment(restApiId=api, stageName='bench')
ops = [{'op': 'replace', 'path': f'/{k}/caching/ttlInSeconds', 'value': str(10 + j)} for j, k in enumerate(keys)]
for s in range(0, len(ops), 250):
    c.update_stage(restApiId=api, stageName='bench', patchOperations=ops[s:s+250])
print(api)`;
  const api = env.boto(code).trim();
  const page = env.page;
  await page.goto(`${env.base}/apis/${api}/stages/bench`);
  await page.locator('[data-testid="row-~1r0000/GET"]').waitFor({ timeout: 120000 });
  const key = STAR ? '*/*' : '~1r0100/GET';
  await revealRow(page, key);
  await page.getByTestId(`cell-${key}-cacheTtlInSeconds`).click();
  mkdirSync('/tmp/webeng', { recursive: true });
  await env.browser.startTracing(page, { path: '/tmp/webeng/trace.json', categories: ['devtools.timeline', 'blink', 'v8.execute'] });
  await page.evaluate(async () => {
    const input = document.querySelector('[data-testid=cell-input]');
    const tick = () => new Promise((r) => { const ch = new MessageChannel(); ch.port1.onmessage = () => r(); ch.port2.postMessage(0); });
    for (let i = 0; i < 60; i++) {
      await tick();
      input.value = String(200 + i);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await tick();
    }
  });
  await env.browser.stopTracing();
} finally {
  await env.stop();
}
const trace = JSON.parse(readFileSync('/tmp/webeng/trace.json', 'utf8'));
const events = trace.traceEvents ?? trace;
const tot = new Map();
for (const e of events) {
  if (e.ph !== 'X' || !e.dur) continue;
  const k = e.name;
  const t = tot.get(k) ?? { dur: 0, n: 0, max: 0 };
  t.dur += e.dur / 1000; t.n += 1; t.max = Math.max(t.max, e.dur / 1000);
  tot.set(k, t);
}
[...tot.entries()].sort((a, b) => b[1].dur - a[1].dur).slice(0, 25).forEach(([k, v]) => console.log(v.dur.toFixed(1).padStart(9), 'ms', String(v.n).padStart(5), 'max', v.max.toFixed(1).padStart(7), k));
