// `cargo xtask bench web`: the web editor's first-load size and its keystroke latency at 1,000
// method-setting overrides, measured in headless Chromium through Playwright (Performance marks).
// Writes the table into docs/benchmarks.md between the web-bench markers (`--no-write` to skip).
//
// Env: STAGECRAFT_BIN, CHROMIUM, STAGECRAFT_DIST (see tests/e2e/harness.mjs).
// Args: --keys N (default 200 keystrokes per series), --overrides N (default 1000), --no-write.

import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { ROOT, distDir, revealRow, setup, shot } from '../e2e/harness.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const KEYS = opt('--keys', 200);
const OVERRIDES = opt('--overrides', 1000);
const WRITE = !args.includes('--no-write');
const BUDGET = 250 * 1024;

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

function firstLoad() {
  const dir = distDir();
  const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
  const files = readdirSync(dir).filter((f) => /\.(wasm|js|css)$/.test(f) && html.includes(f.replace(/_bg\.wasm$/, '')));
  const rows = files.map((f) => {
    const buf = readFileSync(path.join(dir, f));
    return { name: f, file: f.replace(/-[0-9a-f]{16}/, '-HASH'), raw: statSync(path.join(dir, f)).size, gz: gzipSync(buf, { level: 9 }).length };
  });
  rows.sort((a, b) => b.gz - a.gz);
  return rows;
}

/** Bytes on the wire for `file` from the running server with `Accept-Encoding: accept` (no decoding). */
function served(base, file, accept) {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/${file}`, { headers: { 'accept-encoding': accept } }, (res) => {
        let bytes = 0;
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () => resolve({ bytes, encoding: res.headers['content-encoding'] ?? 'identity' }));
      })
      .on('error', reject);
  });
}

async function measureServed(base, rows) {
  for (const r of rows) {
    r.servedGz = await served(base, r.name, 'gzip');
    r.servedBr = await served(base, r.name, 'br, gzip');
  }
}

function pct(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: pct(s, 50), p95: pct(s, 95), max: s[s.length - 1], n: s.length };
}

/** Creates resources and methods so that `n` overrides match real methods, then stores the overrides. */
function seed(env, n) {
  const code = `
api = c.create_rest_api(name='bench-1000')['id']
root = next(r['id'] for r in c.get_resources(restApiId=api)['items'] if r['path'] == '/')
verbs = ['GET', 'POST', 'PUT', 'DELETE']
keys = []
for i in range(${Math.ceil(n / 4)}):
    rid = c.create_resource(restApiId=api, parentId=root, pathPart=f'r{i:04d}')['id']
    for v in verbs:
        c.put_method(restApiId=api, resourceId=rid, httpMethod=v, authorizationType='NONE')
        c.put_integration(restApiId=api, resourceId=rid, httpMethod=v, type='MOCK')
        keys.append(f'~1r{i:04d}/{v}')
keys = keys[:${n}]
dep = c.create_deployment(restApiId=api, stageName='bench', description='bench')['id']
ops = [{'op': 'replace', 'path': '/*/*/caching/ttlInSeconds', 'value': '300'}]
for j, k in enumerate(keys):
    ops.append({'op': 'replace', 'path': f'/{k}/caching/ttlInSeconds', 'value': str(10 + j % 3000)})
for start in range(0, len(ops), 250):
    c.update_stage(restApiId=api, stageName='bench', patchOperations=ops[start:start + 250])
s = c.get_stage(restApiId=api, stageName='bench')
print(api, len(s['methodSettings']))
`;
  const [api, count] = env.boto(code).trim().split(/\s+/);
  return { api, count: Number(count) };
}

/** Types `values` into the open cell editor; returns keystroke → updated-DOM durations (ms). */
async function typeSeries(page, values) {
  return page.evaluate(async (values) => {
    const input = document.querySelector('[data-testid=cell-input]');
    const pre = document.querySelector('[data-testid=patch-json]');
    const tick = () => new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => r();
      ch.port2.postMessage(0);
    });
    const out = [];
    for (let i = 0; i < values.length; i++) {
      await tick();
      performance.mark('sc:keystroke');
      input.value = values[i];
      input.dispatchEvent(new Event('input', { bubbles: true }));
      // Every reactive update (validation, cell, preview) runs in this task or its microtasks;
      // the next task starts once they are done.
      await tick();
      performance.mark('sc:updated');
      const m = performance.measure('sc:keystroke→updated', 'sc:keystroke', 'sc:updated');
      out.push(m.duration);
      const ok = values[i] === '4000' ? pre.textContent.startsWith('//') : pre.textContent.includes(`"value":"${values[i]}"`);
      if (!ok) throw new Error(`preview not updated after typing ${values[i]}: ${pre.textContent.slice(0, 200)}`);
    }
    return out;
  }, values);
}

async function main() {
  const load = firstLoad();
  const env = await setup();
  await measureServed(env.base, load);
  const sum = (f) => load.reduce((a, r) => a + f(r), 0);
  const total = sum((r) => r.servedGz.bytes);
  const chromium = `Chromium ${env.browser.version()}`;
  let result;
  try {
    const { api, count } = seed(env, OVERRIDES);
    const page = env.page;
    const t0 = Date.now();
    await page.goto(`${env.base}/apis/${api}/stages/bench`);
    await page.locator('[data-testid="row-~1r0000/GET"]').waitFor({ timeout: 120000 });
    const openMs = Date.now() - t0;

    // Series 1: one override's TTL (valid values, every fifth keystroke 4000 → inline error).
    const key = `~1r${String(Math.min(100, Math.floor(OVERRIDES / 4) - 1)).padStart(4, '0')}/GET`;
    await revealRow(page, key);
    await page.getByTestId(`cell-${key}-cacheTtlInSeconds`).click();
    const loadBefore = os.loadavg();
    const values = Array.from({ length: KEYS }, (_, i) => (i % 5 === 4 ? '4000' : String(1100 + (i % 900))));
    const warm = await typeSeries(page, values.slice(0, 20));
    const times = await typeSeries(page, values);
    const invalid = times.filter((_, i) => values[i] === '4000');
    await shot(page, 'bench-1000');
    await page.keyboard.press('Escape');

    // Series 2: */* TTL: every one of the rows shows what it inherits, so all rows are checked.
    await page.getByTestId('cell-*/*-cacheTtlInSeconds').click();
    const starValues = Array.from({ length: Math.min(KEYS, 50) }, (_, i) => String(200 + i));
    const star = await typeSeries(page, starValues);
    await page.keyboard.press('Escape');
    const loadAvg = [loadBefore, os.loadavg()].map((l) => l[0].toFixed(2));

    // Series 3: the same override typed with pauses, so that the draft is kept in session storage
    // between keystrokes (marks sc:draft-save → sc:draft-saved); the first save also writes the base.
    await revealRow(page, key);
    await page.getByTestId(`cell-${key}-cacheTtlInSeconds`).click();
    const paced = [];
    for (let i = 0; i < 16; i++) {
      paced.push(...await typeSeries(page, [String(2100 + i)]));
      await page.waitForTimeout(1000);
    }
    await page.keyboard.press('Escape');
    const saves = await page.evaluate(() => {
      const starts = performance.getEntriesByName('sc:draft-save');
      const ends = performance.getEntriesByName('sc:draft-saved');
      const sizes = Object.keys(sessionStorage).filter((k) => k.startsWith('stagecraft.draft'))
        .map((k) => [k.split(' ')[0], sessionStorage.getItem(k).length]);
      return { ms: starts.map((s, i) => (ends[i]?.startTime ?? s.startTime) - s.startTime), sizes: Object.fromEntries(sizes) };
    });
    result = {
      count, openMs, all: stats(times), invalid: stats(invalid), star: stats(star), warm: warm.length, load: loadAvg,
      paced: stats(paced), saves: stats(saves.ms), sizes: saves.sizes,
    };
  } finally {
    await env.stop();
  }

  const cpu = `${os.cpus().length}× ${os.cpus()[0]?.model ?? 'cpu'}`;
  const f = (x) => `${x.toFixed(2)} ms`;
  const lines = [
    `${new Date().toISOString().slice(0, 10)}; ${chromium} headless via playwright-core; ${cpu}; Node ${process.version}; load average (1 min) ${result.load[0]} before the keystrokes, ${result.load[1]} after.`,
    '',
    '**First load** (what `index.html` pulls: wasm + JS glue + CSS), as `stagecraft serve` sends it: bytes on the wire for',
    '`Accept-Encoding: gzip` (the precompressed zopfli `.gz` that the release build writes beside each asset) and for',
    '`Accept-Encoding: br, gzip` (what Chromium sends; brotli q11). `gzip -9` of each file for comparison:',
    '',
    '| file | raw | gzip -9 | served, gzip | served, br |',
    '|---|---:|---:|---:|---:|',
    ...load.map((r) => `| ${r.file} | ${kb(r.raw)} | ${kb(r.gz)} | ${kb(r.servedGz.bytes)} (${r.servedGz.encoding}) | ${kb(r.servedBr.bytes)} (${r.servedBr.encoding}) |`),
    `| **total** | ${kb(sum((r) => r.raw))} | ${kb(sum((r) => r.gz))} | **${kb(total)}** (budget ${kb(BUDGET)}: ${total <= BUDGET ? 'within' : 'OVER'}) | ${kb(sum((r) => r.servedBr.bytes))} |`,
    '',
    `**Keystroke → updated validation and patch preview** at ${result.count.toLocaleString('en-US')} stored method-setting keys`,
    `(${result.count - 1} overrides + \`*/*\`, every key a real method of the API). Measured in the page with Performance marks:`,
    '`sc:keystroke` before the `input` event, `sc:updated` at the start of the next task: the input task and its microtasks',
    '(validation through core, diff, cell, error text, preview) have run, and — when a frame was due — style, layout and',
    'paint too. The matrix draws only the rows near its view. Stage opened (GetStage + GetResources + first render) in ' + `${result.openMs} ms.`,
    '',
    '| series | keystrokes | p50 | p95 | max | goal p95 |',
    '|---|---:|---:|---:|---:|---:|',
    `| one override's TTL (valid and 4000 mixed) | ${result.all.n} | ${f(result.all.p50)} | ${f(result.all.p95)} | ${f(result.all.max)} | ≤ 16 ms |`,
    `| …of which 4000 (inline error, Save disabled) | ${result.invalid.n} | ${f(result.invalid.p50)} | ${f(result.invalid.p95)} | ${f(result.invalid.max)} | ≤ 16 ms |`,
    `| \`*/*\` TTL (every drawn row's inherited value redrawn) | ${result.star.n} | ${f(result.star.p50)} | ${f(result.star.p95)} | ${f(result.star.max)} | ≤ 16 ms |`,
    `| one override's TTL with 1 s pauses (the draft is kept between keystrokes) | ${result.paced.n} | ${f(result.paced.p50)} | ${f(result.paced.p95)} | ${f(result.paced.max)} | ≤ 16 ms |`,
    `| keeping the draft in session storage (idle callback after each pause; not a keystroke) | ${result.saves.n} | ${f(result.saves.p50)} | ${f(result.saves.p95)} | ${f(result.saves.max)} | — |`,
    '',
    `Session storage after the pauses: the stage (written once per base) ${(result.sizes['stagecraft.draft.base'] / 1024).toFixed(1)} KB, the edits (written per save) ${result.sizes['stagecraft.draft.edits']} characters.`,
  ];
  const table = lines.join('\n');
  console.log(table);
  if (WRITE) {
    const docs = path.join(ROOT, 'docs', 'benchmarks.md');
    let text;
    try {
      text = readFileSync(docs, 'utf8');
    } catch {
      text = '# Benchmarks\n';
    }
    const block = `<!-- web-bench:begin (written by tests/bench/web.mjs) -->\n${table}\n<!-- web-bench:end -->`;
    const reproduce =
      'Reproduce: `cargo xtask bench web` (Trunk release build, the `stagecraft` release binary, then `node tests/bench/web.mjs`:\n' +
      'a `stagecraft emulator --demo` with a generated API of 1,000 methods behind `stagecraft serve --endpoint`).';
    if (/<!-- web-bench:begin[^]*?<!-- web-bench:end -->/.test(text)) {
      text = text.replace(/<!-- web-bench:begin[^]*?<!-- web-bench:end -->/, block);
    } else if (/^## Web\s*$/m.test(text)) {
      text = text.replace(/^## Web\s*$/m, `## Web\n\n${block}\n\n${reproduce}\n`);
    } else {
      text = `${text.trimEnd()}\n\n## Web\n\n${block}\n\n${reproduce}\n`;
    }
    writeFileSync(docs, text);
    console.log(`\nwrote ${path.relative(ROOT, docs)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
