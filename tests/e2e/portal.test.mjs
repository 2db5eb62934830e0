// End-to-end: the editor inside a team portal. A host page on another origin (a second local port) embeds
// the editor with the served helper (/_stagecraft/embed.js), opens a stage, edits, is asked before leaving
// unsaved edits, saves and receives `saved`; a page on a third origin can neither frame the editor (CSP
// frame-ancestors) nor drive it (its messages are ignored); a stage the rules file does not open says why
// Save is disabled; the History view reverts a saved change through the usual save, on the emulator. The
// same helper's <stagecraft-editor> element mounts the editor and follows its attributes.
//
// Run: node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { EditorPage, axe, freePort, getStage, setup, shot } from './harness.mjs';

const PETS = '~1pets/GET';
const TTL = 'cacheTtlInSeconds';

/** A tiny web server on 127.0.0.1:port answering each path with the HTML `pages[path]()`. */
function site(port, pages) {
  const server = http.createServer((req, res) => {
    const page = pages[new URL(req.url, 'http://x').pathname];
    res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page ? page() : 'not found');
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

describe('the editor in a team portal', () => {
  let env;
  let hostPort;
  let evilPort;
  let servers = [];
  let audit;

  before(async () => {
    hostPort = await freePort();
    evilPort = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-portal-'));
    audit = path.join(dir, 'audit.jsonl');
    const rules = path.join(dir, 'rules.json');
    writeFileSync(rules, JSON.stringify({ rules: [{ stages: ['dev', 'prod'], allow: ['*'] }] }));
    env = await setup({
      viewport: { width: 1400, height: 900 },
      serveArgs: ['--frame-ancestors', `http://127.0.0.1:${hostPort}`, '--audit-log', audit, '--rules', rules],
    });
    const editorBase = env.base;
    const host = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal</title></head>
<body><main><h1>Portal</h1><div id="editor" style="height:800px"></div>
<iframe id="stranger" title="stranger" src="http://127.0.0.1:${evilPort}/child.html"></iframe></main>
<script type="module">
  import { mountStageEditor } from '${editorBase}/_stagecraft/embed.js';
  window.events = [];
  window.allowLeave = false;
  const log = (m) => window.events.push(m);
  window.editor = mountStageEditor(document.getElementById('editor'), {
    url: '${editorBase}', restApiId: '${env.apiId}', stage: 'prod',
    onReady: log, onDirty: log, onSaved: log, onConflict: log, onError: log,
    confirmNavigation: (m) => { log(m); return window.allowLeave; },
  });
</script></body></html>`;
    const element = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Portal element</title></head>
<body><main><h1>Portal</h1>
<stagecraft-editor id="editor" url="${editorBase}" rest-api-id="${env.apiId}" stage="dev" style="height:800px"></stagecraft-editor>
</main>
<script type="module">
  import '${editorBase}/_stagecraft/embed.js';
  window.events = [];
  for (const type of ['ready', 'dirty', 'saved', 'conflict', 'error']) {
    document.addEventListener('stagecraft-' + type, (e) => window.events.push(e.detail));
  }
</script></body></html>`;
    const evil = () => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Elsewhere</title></head>
<body><iframe title="editor" src="${editorBase}/apis/${env.apiId}/stages/prod?embed=1"></iframe></body></html>`;
    const child = () => '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>child</title></head><body></body></html>';
    servers = [await site(hostPort, { '/host.html': host, '/element.html': element }), await site(evilPort, { '/evil.html': evil, '/child.html': child })];
  });

  after(async () => {
    await env?.stop();
    for (const s of servers) s.close();
  });

  const events = (page, type) => page.evaluate((t) => window.events.filter((e) => e.type === t), type);
  const waitEvent = (page, type, count = 1) =>
    page.waitForFunction(([t, n]) => window.events.filter((e) => e.type === t).length >= n, [type, count]);

  test('a host page on another origin opens a stage, edits, is asked before leaving, saves and gets `saved`', async () => {
    const { page, apiId, boto } = env;
    await page.goto(`http://127.0.0.1:${hostPort}/host.html`);
    await waitEvent(page, 'ready');
    const editorFrame = page.frameLocator('#editor iframe');
    await editorFrame.getByTestId('matrix').waitFor();
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready' && e.stage === 'prod'));

    // The host drives it: open dev, then prod again.
    await page.evaluate((api) => window.editor.open(api, 'dev'), apiId);
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready' && e.stage === 'dev'));
    await page.evaluate((api) => window.editor.open(api, 'prod'), apiId);
    await page.waitForFunction(() => window.events.filter((e) => e.type === 'ready' && e.stage === 'prod').length >= 2);
    await editorFrame.getByTestId('matrix').waitFor();

    // A stranger's frame inside the host page cannot drive it: its `open` is ignored (the host's
    // `isDirty`, sent after it, is answered from prod, and the editor stays there).
    const stranger = page.frames().find((f) => f.url().startsWith(`http://127.0.0.1:${evilPort}/`));
    await stranger.evaluate((api) => {
      for (let i = 0; i < window.parent.frames.length; i += 1) {
        window.parent.frames[i].postMessage({ stagecraft: 1, type: 'open', restApiId: api, stage: 'dev' }, '*');
        window.parent.frames[i].postMessage({ stagecraft: 1, type: 'hello' }, '*');
      }
    }, apiId);
    assert.equal(await page.evaluate(() => window.editor.isDirty()), false);
    const frame = page.frames().find((f) => f.url().includes('embed=1'));
    assert.match(new URL(frame.url()).pathname, /\/stages\/prod$/);
    const lastDirty = (await events(page, 'dirty')).at(-1);
    assert.equal(lastDirty.stage, 'prod');

    // Edit in the frame: the host hears `dirty`.
    const ed = new EditorPage(editorFrame, env.base, apiId, 'prod');
    const before = getStage(boto, apiId, 'prod').methodSettings[PETS][TTL];
    const ttl = before === 120 ? '90' : '120';
    await ed.editCell(PETS, TTL, ttl);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => window.events.some((e) => e.type === 'dirty' && e.unsaved === 1));
    assert.equal(await page.evaluate(() => window.editor.isDirty()), true);

    // Leaving with unsaved edits asks the host first; it says no, so the editor stays.
    await page.evaluate((api) => window.editor.open(api, 'dev'), apiId);
    await waitEvent(page, 'confirmNavigation');
    const [question] = await events(page, 'confirmNavigation');
    assert.equal(question.unsaved, 1);
    assert.equal(question.stage, 'prod');
    assert.equal(await page.evaluate(() => window.editor.isDirty()), true);
    assert.match(new URL(frame.url()).pathname, /\/stages\/prod$/);

    // Back inside the frame asks the host too (not the editor's own dialog); the host says no again.
    await frame.evaluate(() => window.history.back());
    await waitEvent(page, 'confirmNavigation', 2);
    assert.equal((await events(page, 'confirmNavigation'))[1].stage, 'prod');
    assert.match(new URL(frame.url()).pathname, /\/stages\/prod$/);
    assert.equal(await page.evaluate(() => window.editor.isDirty()), true);
    assert.equal(await editorFrame.getByRole('alertdialog').count(), 0);

    // Save: the host receives `saved` with the operations sent, and AWS has them.
    await ed.save().click();
    await waitEvent(page, 'saved');
    const [saved] = await events(page, 'saved');
    assert.equal(saved.restApiId, apiId);
    assert.equal(saved.stage, 'prod');
    assert.deepEqual(saved.operations, [{ op: 'replace', path: '/~1pets/GET/caching/ttlInSeconds', value: ttl }]);
    assert.equal(getStage(boto, apiId, 'prod').methodSettings[PETS][TTL], Number(ttl));
    await page.waitForFunction(() => window.events.some((e) => e.type === 'dirty' && e.unsaved === 0));
    assert.deepEqual(await axe(page), []);
    await shot(page, 'portal-host');

    // The audit log has the change, with who (nobody named: the local user) and the exact operations.
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const last = lines.at(-1);
    assert.equal(last.operation, 'UpdateStage');
    assert.equal(last.result, 'ok');
    assert.deepEqual(last.patchOperations, saved.operations);
  });

  test('<stagecraft-editor> mounts the editor, follows its stage attribute and goes with the element', async () => {
    const { context, apiId } = env;
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${hostPort}/element.html`);
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready' && e.stage === 'dev'));
    await page.frameLocator('#editor iframe').getByTestId('matrix').waitFor();
    assert.equal(await page.locator('#editor iframe').getAttribute('title'), 'stagecraft stage editor');

    await page.evaluate(() => document.getElementById('editor').setAttribute('stage', 'prod'));
    await page.waitForFunction(() => window.events.some((e) => e.type === 'ready' && e.stage === 'prod'));
    const frame = page.frames().find((f) => f.url().includes('embed=1'));
    assert.match(new URL(frame.url()).pathname, new RegExp(`/apis/${apiId}/stages/prod$`));
    assert.equal(await page.evaluate(() => document.getElementById('editor').isDirty()), false);
    assert.deepEqual(await axe(page), []);

    await page.evaluate(() => document.getElementById('editor').remove());
    assert.equal(await page.locator('iframe').count(), 0);
    await page.close();
  });

  test('a site not in --frame-ancestors cannot frame the editor', async () => {
    const { context } = env;
    const page = await context.newPage();
    const refused = page.waitForEvent('console', (m) => /frame-ancestors/.test(m.text()));
    await page.goto(`http://127.0.0.1:${evilPort}/evil.html`);
    const message = await refused;
    // Chromium's words: "Framing '…' violates the following Content Security Policy directive: "frame-ancestors …". The request has been blocked."
    assert.match(message.text(), /(violates|Refused).*frame-ancestors http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(message.text().includes(`frame-ancestors http://127.0.0.1:${hostPort}`), message.text());
    assert.equal(await page.frameLocator('iframe').getByTestId('editor').count(), 0);
    await page.close();
  });

  test('a stage the rules file does not open says why Save is disabled', async () => {
    const { page, base, apiId, boto } = env;
    boto(`d = c.get_stage(restApiId='${apiId}', stageName='prod')['deploymentId']
c.create_stage(restApiId='${apiId}', stageName='staging', deploymentId=d)`);
    const ed = new EditorPage(page, base, apiId, 'staging');
    await ed.open();
    const note = page.getByTestId('save-disabled-reason');
    await note.waitFor();
    assert.match(await note.textContent(), /Save is disabled\. local user may not change this stage: the rules file allows nobody to change stage staging of REST API/);
    await ed.editCell(PETS, TTL, '33');
    await page.keyboard.press('Enter');
    assert.equal(await ed.save().isDisabled(), true);
    assert.match(await ed.save().getAttribute('title'), /allows nobody to change stage staging/);
    assert.deepEqual(await axe(page), []);
    await shot(page, 'portal-refused');
    await ed.page.getByTestId('discard').click();
  });

  test('History lists the saved change and reverts it through the usual save', async () => {
    const { page, base, apiId, boto } = env;
    const ed = new EditorPage(page, base, apiId, 'prod');
    await ed.open();
    const saved = JSON.parse(readFileSync(audit, 'utf8').trim().split('\n').filter((l) => l.includes('"stage":"prod"')).at(-1));
    const original = saved.before.methodSettings[PETS][TTL];
    // History is in view at 1,400 × 900 without scrolling.
    const summary = await page.getByTestId('history').locator('summary').evaluate((el) => {
      const r = el.getBoundingClientRect();
      return { bottom: r.bottom + window.scrollY, height: window.innerHeight };
    });
    assert.ok(summary.bottom <= summary.height, `History's summary ends at ${summary.bottom} px, below the fold (${summary.height} px)`);
    await page.getByTestId('history').locator('summary').click();
    const entry = page.getByTestId('history-entry').first();
    await entry.waitFor();
    assert.match(await entry.textContent(), /UpdateStage/);
    assert.match(await entry.textContent(), /replace \/~1pets\/GET\/caching\/ttlInSeconds/);
    assert.deepEqual(await axe(page), []);
    await entry.getByTestId('history-revert').click();
    await ed.toast('info');
    // The toast leaves the entry readable: no overlap with it.
    const [toast, shown] = await Promise.all([page.locator('.toast').first(), entry].map((l) => l.boundingBox()));
    const apart = toast.x >= shown.x + shown.width || toast.y >= shown.y + shown.height || shown.y >= toast.y + toast.height;
    assert.ok(apart, `the toast ${JSON.stringify(toast)} covers the History entry ${JSON.stringify(shown)}`);
    assert.match(await page.getByTestId('dirty-count').textContent(), /1 unsaved change/);
    await ed.save().click();
    await ed.toast('success');
    assert.equal(getStage(boto, apiId, 'prod').methodSettings[PETS][TTL], original);
    await page.getByTestId('history-refresh').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=history-entry]').length >= 2);
    await shot(page, 'portal-history');
  });
});
