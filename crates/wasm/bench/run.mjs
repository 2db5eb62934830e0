// Benchmark of the npm package stagecraft-validator against ajv 8 and fast-json-patch, in one Node process.
//
//   node crates/wasm/bench/run.mjs [--quick] [--no-write]
//
// Loads crates/wasm/pkg/node (built by `cargo xtask wasm`; STAGECRAFT_PKG overrides the directory),
// generates stage documents with 10, 100, 1,000 and 10,000 method settings, and measures:
//   validate  stagecraft validateStage vs ajv 8 (Ajv2020, allErrors) compiled with stageSchema(),
//             from JSON text (ajv's time includes JSON.parse) and from an object;
//   diff      stagecraft diffStages vs fast-json-patch compare (generic, not AWS-valid, ops);
//   size      the .wasm (raw, gzip -9) and the JS glue of each target.
// Prints a Markdown table and writes it into the "## WASM" section of docs/benchmarks.md.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { changeStage, generateStage } from './stages.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const require = createRequire(path.join(root, 'package.json'));
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const pkgDir = path.resolve(process.env.STAGECRAFT_PKG ?? path.join(root, 'crates/wasm/pkg'));
const nodeDir = fs.existsSync(path.join(pkgDir, 'node')) ? path.join(pkgDir, 'node') : pkgDir;

const sc = require(path.join(nodeDir, 'stagecraft_wasm.js'));
const Ajv2020 = require('ajv/dist/2020').default;
const jsonpatch = require('fast-json-patch');

const SIZES = [10, 100, 1000, 10000];
/** Runs `fn` for at least `minMs` (and 5 times), returns ops/s. */
function measure(fn, minMs = quick ? 150 : 600) {
  for (let i = 0; i < 3; i++) fn(); // warm up (JIT, wasm tiers)
  let n = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (n < 5 || elapsed < minMs) {
    fn();
    n++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  }
  return (n * 1000) / elapsed;
}

function fmtOps(x) {
  if (x >= 100) return Math.round(x).toLocaleString('en-US');
  return x.toPrecision(3);
}

function fmtBytes(n) {
  return n >= 10240 ? `${(n / 1024).toFixed(1)} KB` : `${n.toLocaleString('en-US')} B`;
}

function ratio(a, b) {
  return `${(a / b).toFixed(2)}×`;
}

const schema = sc.stageSchema();
const ajv = new Ajv2020({ allErrors: true, strict: false });
const ajvValidate = ajv.compile(schema);

// Sanity: both accept the generated documents, and the diff round-trips.
for (const n of [10, 100]) {
  const doc = generateStage(n);
  const r = sc.validateStage(doc);
  if (!r.valid) throw new Error(`generated stage invalid for stagecraft: ${JSON.stringify(r.errors.slice(0, 3))}`);
  if (!ajvValidate(doc)) throw new Error(`generated stage invalid for ajv: ${JSON.stringify(ajvValidate.errors.slice(0, 3))}`);
  const after = changeStage(doc);
  const applied = sc.applyPatch(doc, sc.diffStages(doc, after));
  if (JSON.stringify(applied.methodSettings) !== JSON.stringify(sc.applyPatch(after, []).methodSettings)) {
    throw new Error('applyPatch(before, diffStages(before, after)) != after');
  }
}

const rows = [];
for (const n of SIZES) {
  const doc = generateStage(n);
  const text = JSON.stringify(doc);
  const after = changeStage(doc);
  const row = { n, bytes: text.length };
  row.scText = measure(() => sc.validateStage(text));
  row.ajvText = measure(() => ajvValidate(JSON.parse(text)));
  row.scObj = measure(() => sc.validateStage(doc));
  row.ajvObj = measure(() => ajvValidate(doc));
  row.scDiff = measure(() => sc.diffStages(doc, after));
  row.fjpDiff = measure(() => jsonpatch.compare(doc, after));
  row.ops = sc.diffStages(doc, after).length;
  row.fjpOps = jsonpatch.compare(doc, after).length;
  rows.push(row);
  console.error(`n=${n}: validate text ${fmtOps(row.scText)}/s vs ajv ${fmtOps(row.ajvText)}/s; object ${fmtOps(row.scObj)} vs ${fmtOps(row.ajvObj)}; diff ${fmtOps(row.scDiff)} vs ${fmtOps(row.fjpDiff)}`);
}

// Sizes of every target's files.
const sizes = [];
for (const target of ['web', 'node', 'bundler']) {
  const dir = path.join(pkgDir, target);
  if (!fs.existsSync(dir)) continue;
  // The module, its glue, and the glue's local JS snippets (`snippets/<crate>/js/…`).
  const files = fs.readdirSync(dir, { recursive: true }).map(String);
  for (const f of files.sort((a, b) => a.includes('/') - b.includes('/') || a.localeCompare(b))) {
    if (!/\.(wasm|js)$/.test(f)) continue;
    const bytes = fs.readFileSync(path.join(dir, f));
    const shown = f.replace(/^snippets\/[^/]+\//, 'snippets/…/');
    sizes.push({ file: `${target}/${shown}`, raw: bytes.length, gz: zlib.gzipSync(bytes, { level: 9 }).length });
  }
}
if (sizes.length === 0) {
  for (const f of fs.readdirSync(nodeDir).filter((f) => /\.(wasm|js)$/.test(f))) {
    const bytes = fs.readFileSync(path.join(nodeDir, f));
    sizes.push({ file: f, raw: bytes.length, gz: zlib.gzipSync(bytes, { level: 9 }).length });
  }
}

const lines = [];
lines.push(`Node ${process.version}, ${process.arch}; ${new Date().toISOString().slice(0, 10)}; ajv ${require('ajv/package.json').version} (Ajv2020, allErrors) compiled with \`stageSchema()\`; fast-json-patch ${require('fast-json-patch/package.json').version}. Throughput in operations per second (higher is better); ratio = stagecraft / peer.`);
lines.push('');
lines.push('| method settings | JSON size | validate from text: stagecraft | ajv (incl. JSON.parse) | ratio | validate from object: stagecraft | ajv | ratio | diff: stagecraft | fast-json-patch | ratio | ops (stagecraft / fjp) |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  lines.push(`| ${r.n.toLocaleString('en-US')} | ${fmtBytes(r.bytes)} | ${fmtOps(r.scText)} | ${fmtOps(r.ajvText)} | ${ratio(r.scText, r.ajvText)} | ${fmtOps(r.scObj)} | ${fmtOps(r.ajvObj)} | ${ratio(r.scObj, r.ajvObj)} | ${fmtOps(r.scDiff)} | ${fmtOps(r.fjpDiff)} | ${ratio(r.scDiff, r.fjpDiff)} | ${r.ops} / ${r.fjpOps} |`);
}
lines.push('');
lines.push('| file | raw | gzip -9 |');
lines.push('|---|---:|---:|');
for (const s of sizes) lines.push(`| ${s.file} | ${fmtBytes(s.raw)} | ${fmtBytes(s.gz)} |`);
const table = lines.join('\n');
console.log(table);

if (!args.has('--no-write')) {
  const file = path.join(root, 'docs/benchmarks.md');
  const begin = '<!-- wasm-bench:begin (written by crates/wasm/bench/run.mjs) -->';
  const end = '<!-- wasm-bench:end -->';
  let md = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const block = `${begin}\n${table}\n${end}`;
  if (md.includes(begin) && md.includes(end)) {
    md = md.slice(0, md.indexOf(begin)) + block + md.slice(md.indexOf(end) + end.length);
  } else if (/^## WASM\b/m.test(md)) {
    md = md.replace(/^## WASM\b.*\n/m, (h) => `${h}\n${block}\n`);
  } else {
    md = `${md.trimEnd()}\n\n## WASM\n\n${block}\n`;
  }
  fs.writeFileSync(file, md);
  console.error(`wrote the table into ${path.relative(root, file)}`);
}
