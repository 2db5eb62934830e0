// The packed npm package, installed into a fresh project: validate, diff, apply and errors on the shared
// fixture corpus (tests/fixtures) and on generated stages. Run by `cargo xtask ci` (step npm-test).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';

import * as sc from 'stagecraft-validator';

const root = process.env.STAGECRAFT_ROOT;
assert.ok(root, 'STAGECRAFT_ROOT must point at the repository');
const corpus = (name) => JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures', `${name}.json`), 'utf8'));
const { generateStage, changeStage } = await import(path.join(root, 'crates/wasm/bench/stages.mjs'));

/** Compares stages the way core does: through a round trip that fills AWS's implied defaults. */
const normal = (stage) => sc.applyPatch(stage, []);

test('the package resolves to the node build, CommonJS and ESM alike', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('stagecraft-validator');
  assert.equal(typeof cjs.validateStage, 'function');
  const pkg = require('stagecraft-validator/package.json');
  assert.equal(pkg.name, 'stagecraft-validator');
  assert.match(pkg.version, /^\d+\.\d+\.\d+/);
  assert.equal(pkg.license, 'MIT OR Apache-2.0');
  for (const f of ['validateStage', 'validatePatch', 'diffStages', 'applyPatch', 'methodSettingKey',
    'parseMethodSettingKey', 'methodSettingFields', 'stageSchema', 'effectiveMethodSettings']) {
    assert.equal(typeof sc[f], 'function', f);
  }
});

test('valid fixtures validate, from objects and from JSON text', () => {
  for (const c of corpus('valid')) {
    assert.deepEqual(sc.validateStage(c.document), { valid: true, errors: [] }, c.name);
    assert.deepEqual(sc.validateStage(JSON.stringify(c.document)), { valid: true, errors: [] }, c.name);
  }
});

test('invalid fixtures report the exact paths, codes and AWS messages', () => {
  for (const c of corpus('invalid')) {
    const r = sc.validateStage(c.document);
    assert.equal(r.valid, false, c.name);
    assert.deepEqual(r.errors, c.errors, c.name);
    assert.deepEqual(sc.validateStage(JSON.stringify(c.document)), r, c.name);
  }
});

test('diff fixtures: exact ops that apply back, or UnsupportedChangeError', () => {
  for (const c of corpus('diff')) {
    if (c.error) {
      assert.throws(() => sc.diffStages(c.before, c.after), (e) => {
        assert.ok(e instanceof Error);
        assert.equal(e.name, 'UnsupportedChangeError');
        assert.deepEqual({ field: e.field, message: e.message }, c.error, c.name);
        return true;
      });
      continue;
    }
    const ops = sc.diffStages(c.before, c.after);
    assert.deepEqual(ops, c.ops, c.name);
    assert.deepEqual(sc.validatePatch(ops), { valid: true, errors: [] }, c.name);
    assert.deepEqual(sc.applyPatch(c.before, ops), normal(c.after), c.name);
  }
});

test('apply fixtures: UpdateStage semantics, AWS error types and texts, input untouched', () => {
  for (const c of corpus('apply')) {
    const before = structuredClone(c.stage);
    if (c.error) {
      assert.throws(() => sc.applyPatch(c.stage, c.ops), (e) => {
        assert.ok(e instanceof Error, c.name);
        assert.deepEqual({ type: e.name, message: e.message }, c.error, c.name);
        return true;
      });
    } else {
      assert.deepEqual(sc.applyPatch(c.stage, c.ops), normal(c.result), c.name);
    }
    assert.deepEqual(c.stage, before, `${c.name}: input modified`);
  }
});

test('generated stages: diff then apply gives the target, at 1,000 settings', () => {
  const before = generateStage(1000);
  const after = changeStage(before);
  const ops = sc.diffStages(before, after);
  assert.ok(ops.length > 100);
  assert.deepEqual(sc.applyPatch(before, ops), normal(after));
  assert.deepEqual(sc.diffStages(before, before), []);
  assert.deepEqual(sc.applyPatch(JSON.stringify(before), JSON.stringify({ patchOperations: ops })), normal(after));
});

test('errors are real Errors named after the AWS type, with AWS text', () => {
  const ttl = [{ op: 'replace', path: '/*/*/caching/ttlInSeconds', value: '3601' }];
  assert.throws(() => sc.applyPatch({ methodSettings: {} }, ttl), (e) => {
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'BadRequestException');
    assert.equal(e.message, 'Invalid time-to-live setting, must be an integer no greater than 3600');
    assert.equal(e.path, '/0/value');
    assert.equal(String(e), 'BadRequestException: Invalid time-to-live setting, must be an integer no greater than 3600');
    return true;
  });
  assert.throws(() => sc.applyPatch({}, [{ op: 'remove', path: '/*/*' }]), {
    name: 'BadRequestException',
    message: 'Cannot remove method setting */* because there is no method setting for this method ',
  });
  assert.throws(() => sc.diffStages({ stageName: 'a' }, { stageName: 'b' }), { name: 'UnsupportedChangeError' });
  assert.throws(() => sc.diffStages({}, { stageName: 'a b' }), (e) => {
    assert.equal(e.name, 'ValidationError');
    assert.equal(e.errors[0].code, 'invalid_stage_name');
    return true;
  });
  const r = sc.validatePatch([{ op: 'replace', path: '/nope', value: '1' }]);
  assert.equal(r.errors[0].code, 'invalid_path');
  assert.match(r.errors[0].message, /^Invalid method setting path: \/nope\. Must be one of: \[/);
});

test('hostile input throws TypeError/SyntaxError/RangeError and never breaks the module', () => {
  const cyclic = { methodSettings: {} };
  cyclic.methodSettings['*/*'] = cyclic;
  assert.throws(() => sc.validateStage(cyclic), TypeError);
  assert.throws(() => sc.diffStages(cyclic, {}), TypeError);
  assert.throws(() => sc.validateStage({ createdDate: 10n }), TypeError);
  assert.throws(() => sc.validateStage(undefined), TypeError);
  assert.throws(() => sc.validateStage(() => 1), TypeError);
  assert.throws(() => sc.methodSettingKey(1, 'GET'), TypeError);
  assert.throws(() => sc.parseMethodSettingKey({}), TypeError);
  assert.throws(() => sc.validateStage('{"stageName": '), SyntaxError);
  assert.throws(() => sc.validateStage('['.repeat(100000)), SyntaxError);
  assert.throws(() => sc.validateStage('x'.repeat(33 * 1024 * 1024)), RangeError);
  assert.throws(() => sc.validateStage({ description: 'x'.repeat(33 * 1024 * 1024) }), RangeError);
  assert.equal(sc.validateStage(42).errors[0].code, 'invalid_type');
  assert.equal(sc.validateStage(null).errors[0].message, 'Expected object, got null');
  assert.equal(sc.validatePatch('{}').errors[0].code, 'invalid_type');
  assert.deepEqual(sc.validateStage({ stageName: 'ok' }), { valid: true, errors: [] });
});

test('effective method settings: own entry, then */*, then AWS defaults', () => {
  const stage = { methodSettings: { '*/*': { cachingEnabled: true, throttlingBurstLimit: 7 }, '~1pets/POST': { cacheTtlInSeconds: 60 } } };
  const post = sc.effectiveMethodSettings(stage, '/pets', 'post');
  assert.equal(post.key, '~1pets/POST');
  assert.deepEqual(post.settings.cacheTtlInSeconds, { value: 60, source: 'method' });
  assert.deepEqual(post.settings.throttlingBurstLimit, { value: 7, source: '*/*' });
  // Stage-wide caching covers GET only.
  assert.deepEqual(post.settings.cachingEnabled, { value: false, source: 'default' });
  assert.deepEqual(sc.effectiveMethodSettings(JSON.stringify(stage), '/pets', 'GET').settings.cachingEnabled, { value: true, source: '*/*' });
  assert.equal(Object.keys(post.settings).length, 10);
  assert.throws(() => sc.effectiveMethodSettings({ stageName: 'a b' }, '/', 'GET'), (e) => e.name === 'ValidationError');
  assert.throws(() => sc.effectiveMethodSettings(stage, 1, 'GET'), TypeError);
});

test('keys, the settings table and the schema', () => {
  assert.equal(sc.methodSettingKey('/pets/{petId}', 'get'), '~1pets~1{petId}/GET');
  assert.equal(sc.methodSettingKey('/', 'GET'), '~1/GET');
  assert.equal(sc.methodSettingKey('*', '*'), '*/*');
  assert.deepEqual(sc.parseMethodSettingKey('~1pets~1{petId}/GET'), { resourcePath: '/pets/{petId}', httpMethod: 'GET', canonical: true });
  assert.equal(sc.parseMethodSettingKey('GET'), null);
  const fields = sc.methodSettingFields();
  assert.equal(fields.length, 10);
  const ttl = fields.find((f) => f.field === 'cacheTtlInSeconds');
  assert.deepEqual([ttl.patchSuffix, ttl.type, ttl.minimum, ttl.maximum, ttl.default], ['caching/ttlInSeconds', 'integer', 0, 3600, 300]);
  const schema = sc.stageSchema();
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.deepEqual(Object.keys(schema.properties.methodSettings.additionalProperties.properties).sort(), fields.map((f) => f.field).sort());
});

test('the README example runs as written', () => {
  const readme = fs.readFileSync(new URL('../node_modules/stagecraft-validator/README.md', import.meta.url), 'utf8');
  const code = readme.match(/```js\n([\s\S]*?)```/)[1];
  assert.ok(code.split('\n').filter(Boolean).length <= 12);
  const file = new URL('../readme-example.mjs', import.meta.url);
  fs.writeFileSync(file, code);
  const out = execFileSync(process.execPath, [file.pathname], { encoding: 'utf8' });
  assert.match(out, /valid: true/);
  assert.match(out, /BadRequestException Invalid time-to-live setting, must be an integer no greater than 3600/);
});
