// Shared setup for the web editor's end-to-end tests and benchmark:
// a `stagecraft emulator --demo` process, a `stagecraft serve --endpoint …` in front of it serving dist/,
// headless Chromium through playwright-core, and boto3 (python3 -c) talking to the emulator directly.
//
// Env: STAGECRAFT_BIN (default target/release/stagecraft, else target/debug/stagecraft),
//      CHROMIUM (default /usr/bin/chromium), STAGECRAFT_DIST (default dist/).

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHOTS = path.join(ROOT, 'target', 'e2e');

export function stagecraftBin() {
  if (process.env.STAGECRAFT_BIN) return process.env.STAGECRAFT_BIN;
  for (const p of ['target/release/stagecraft', 'target/debug/stagecraft']) {
    const full = path.join(ROOT, p);
    if (existsSync(full)) return full;
  }
  throw new Error('no stagecraft binary: build it (cargo build -p stagecraft) or set STAGECRAFT_BIN');
}

export function distDir() {
  const dir = process.env.STAGECRAFT_DIST ?? path.join(ROOT, 'dist');
  if (!existsSync(path.join(dir, 'index.html'))) {
    throw new Error(`no web app in ${dir}: build it with \`trunk build --release\` (cargo xtask web)`);
  }
  return dir;
}

const AWS_ENV = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-east-1' };

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns a process and resolves once a line of its stdout/stderr matches `ready` (returns the match). */
function start(bin, args, { env = {}, ready, timeoutMs = 20000, name }) {
  const child = spawn(bin, args, { env: { ...process.env, ...AWS_ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const promise = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${log}`)), timeoutMs);
    const onData = (chunk) => {
      log += chunk.toString();
      const m = ready && log.match(ready);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${log}`));
    });
  });
  return { child, promise, log: () => log };
}

async function waitHttp(url, timeoutMs = 20000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Starts emulator + serve (with `serveArgs` added) + Chromium. Returns { base, emulator, apiId, browser, page, boto, stop }.
 */
export async function setup({ viewport = { width: 1280, height: 800 }, serveArgs = [] } = {}) {
  const bin = stagecraftBin();
  const dist = distDir();
  const emuPort = await freePort();
  const emu = start(bin, ['emulator', '--addr', `127.0.0.1:${emuPort}`, '--demo'], {
    ready: /listening on (http:\/\/\S+)/,
    name: 'stagecraft emulator',
  });
  const emulator = (await emu.promise)[1];
  const port = await freePort();
  const srv = start(bin, ['serve', '--addr', `127.0.0.1:${port}`, '--endpoint', emulator, '--dist', dist, ...serveArgs], {
    name: 'stagecraft serve',
    ready: /./,
  });
  srv.promise.catch(() => {});
  const base = `http://127.0.0.1:${port}`;
  await waitHttp(`${base}/`);
  const boto = (code) => botoRun(emulator, code);
  const apiId = boto(`print(next(a['id'] for a in c.get_rest_apis()['items'] if a['name'] == 'petstore-demo'))`).trim();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS, // Playwright gives each launch its own temporary profile.
  });
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // The editor asks before a reload or close loses unsaved edits (beforeunload): accept, and record it.
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    if (d.type() === 'beforeunload') d.accept().catch(() => {});
    else d.dismiss().catch(() => {});
  });
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text())) consoleErrors.push(m.text());
  });
  const stop = async () => {
    await browser.close().catch(() => {});
    srv.child.kill('SIGTERM');
    emu.child.kill('SIGTERM');
  };
  return { base, emulator, apiId, browser, context, page, boto, stop, consoleErrors, dialogs, serveLog: srv.log };
}

/** Runs python3 with `c` = a boto3 apigateway client on the emulator; returns stdout. */
export function botoRun(endpoint, code) {
  const prelude = [
    'import boto3, json, sys',
    `c = boto3.client('apigateway', endpoint_url=${JSON.stringify(endpoint)}, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')`,
  ].join('\n');
  return execFileSync('python3', ['-c', `${prelude}\n${code}`], { env: { ...process.env, ...AWS_ENV }, encoding: 'utf8' });
}

/** Runs an `aws …` command line (as a user would paste it into bash) against the emulator; returns stdout. */
export function awsCli(endpoint, commandLine) {
  return execFileSync('bash', ['-c', `${commandLine} --endpoint-url ${endpoint} --output json`], {
    env: { ...process.env, ...AWS_ENV },
    encoding: 'utf8',
  });
}

/** Adds `count` resources `/{prefix}NN` (`digits` wide) under the root of `apiId`, each with the methods `verbs` (no integration). */
export function addMethods(boto, apiId, { prefix, count, digits = 2, verbs = ['GET'] }) {
  boto(`
api = ${JSON.stringify(apiId)}
root = next(r['id'] for r in c.get_resources(restApiId=api)['items'] if r['path'] == '/')
for i in range(${count}):
    rid = c.create_resource(restApiId=api, parentId=root, pathPart=f'${prefix}{i:0${digits}d}')['id']
    for v in ${JSON.stringify(verbs)}:
        c.put_method(restApiId=api, resourceId=rid, httpMethod=v, authorizationType='NONE')
`);
}

/** GetStage through boto3, as parsed JSON. */
export function getStage(boto, apiId, stage) {
  return JSON.parse(boto(`print(json.dumps(c.get_stage(restApiId=${JSON.stringify(apiId)}, stageName=${JSON.stringify(stage)}), default=str))`));
}

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2.2 AA rules and best practices) in the page; returns the violations as readable lines. */
export async function axe(page) {
  // Evaluated through the DevTools protocol: the page's Content-Security-Policy forbids inline scripts.
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  return result.violations.map(
    (v) => `${v.id} (${v.impact}, ${v.nodes.length}×): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`,
  );
}

/** Scrolls the matrix until the row of `key` is drawn (only the rows near the view are in the DOM). */
export async function revealRow(page, key) {
  // Through a locator, so that a Page, a Frame and a FrameLocator (an embedded editor) all work.
  await page.locator('.matrix-wrap').evaluate(async (wrap, key) => {
    const frame = () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const sel = `[data-testid="row-${CSS.escape(key)}"]`;
    wrap.scrollTop = 0;
    await frame();
    while (!document.querySelector(sel)) {
      const before = wrap.scrollTop;
      wrap.scrollTop += Math.max(100, wrap.clientHeight * 0.8);
      await frame();
      if (wrap.scrollTop === before && !document.querySelector(sel)) throw new Error(`no row ${key} in the matrix`);
    }
  }, key);
}

export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
}

/** Page object for the stage editor. */
export class EditorPage {
  constructor(page, base, apiId, stage = 'prod') {
    this.page = page;
    this.base = base;
    this.apiId = apiId;
    this.stage = stage;
  }

  url(tab = '') {
    return `${this.base}/apis/${this.apiId}/stages/${this.stage}${tab ? `/${tab}` : ''}`;
  }

  async open(tab = '') {
    await this.page.goto(this.url(tab));
    await this.page.getByTestId('editor').waitFor();
    if (!tab) await this.page.getByTestId('matrix').waitFor();
  }

  cell(key, field) {
    return this.page.getByTestId(`cell-${key}-${field}`);
  }

  /** Scrolls the matrix to the row of `key` (only the rows near the view are drawn). */
  reveal(key) {
    return revealRow(this.page, key);
  }

  async editCell(key, field, text) {
    await this.reveal(key);
    await this.cell(key, field).click();
    const input = this.cell(key, field).getByTestId('cell-input');
    await input.fill(text);
    return input;
  }

  patchJson() {
    return this.page.getByTestId('patch-json');
  }

  save() {
    return this.page.getByTestId('save');
  }

  async toast(kind) {
    const t = this.page.locator(`[data-testid=toast][data-kind=${kind}]`).last();
    await t.waitFor();
    return t;
  }
}
