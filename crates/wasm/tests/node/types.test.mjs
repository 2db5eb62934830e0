// `tsc --strict --noEmit` on two consumer files against the installed package's .d.ts: types-ok.ts must
// compile; types-fail.ts must fail on exactly its lines marked FAIL.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const project = path.dirname(here);
const tsc = path.join(process.env.STAGECRAFT_ROOT, 'node_modules/typescript/bin/tsc');

function check(file) {
  const config = path.join(project, `tsconfig.${path.basename(file, '.ts')}.json`);
  fs.writeFileSync(config, JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext',
      lib: ['es2022', 'dom'], types: [], skipLibCheck: false,
    },
    files: [path.join(here, file)],
  }));
  const r = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: project, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

test('a correct consumer compiles under --strict', () => {
  const { status, out } = check('types-ok.ts');
  assert.equal(status, 0, out);
});

test('the declarations are real types, not any', () => {
  const dts = fs.readFileSync(path.join(project, 'node_modules/stagecraft-validator/node/stagecraft_wasm.d.ts'), 'utf8');
  for (const name of ['Stage', 'MethodSetting', 'PatchOperation', 'ValidationReport', 'ValidationIssue', 'MethodSettingField', 'ParsedMethodSettingKey']) {
    assert.match(dts, new RegExp(`export (interface|type) ${name}\\b`), name);
  }
  assert.doesNotMatch(dts.split('\n').filter((l) => l.startsWith('export function')).join('\n'), /\bany\b/);
});

test('a wrong consumer fails on exactly the marked lines', () => {
  const { status, out } = check('types-fail.ts');
  assert.notEqual(status, 0, 'types-fail.ts compiled, but must not');
  const source = fs.readFileSync(path.join(here, 'types-fail.ts'), 'utf8').split('\n');
  const expected = source.flatMap((l, i) => (l.includes('// FAIL') ? [i + 1] : []));
  const got = [...new Set([...out.matchAll(/types-fail\.ts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1])))].sort((a, b) => a - b);
  assert.ok(expected.length >= 10);
  assert.deepEqual(got, expected, out);
});
