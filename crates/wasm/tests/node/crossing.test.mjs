// The crossing's pre-pass (crates/wasm/js/crossing.js) against the reference path: for many random and
// mutated stages, `validateStage(obj)` and `diffStages(a, b)` answer exactly what they answer for
// `JSON.stringify` of the same objects (same report; same operations or the same error), and the
// operations apply back. Run by `cargo xtask ci` (step npm-test) on the packed tarball.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import * as sc from 'stagecraft-validator';

const root = process.env.STAGECRAFT_ROOT;
assert.ok(root, 'STAGECRAFT_ROOT must point at the repository');
const { generateStage, changeStage } = await import(path.join(root, 'crates/wasm/bench/stages.mjs'));

/** A small seeded generator (xorshift32), so a failure can be replayed. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  const int = (n) => Math.floor(next() * n);
  return { next, int, pick: (list) => list[int(list.length)], chance: (p) => next() < p };
}

const FIELDS = sc.methodSettingFields();

/** How often a generated value is valid for its field (the diff needs mostly valid stages). */
let validShare = 0.75;

/** Values of every kind, most of them valid for some field. */
function value(r, field) {
  const f = field ?? r.pick(FIELDS);
  const valid = () => {
    if (f.type === 'boolean') return r.chance(0.5);
    if (f.enum) return r.pick(f.enum);
    if (f.type === 'integer') return r.pick([f.minimum, f.maximum, 0, 300, 1 + r.int(3000)]);
    return r.pick([f.minimum, 0, -0, 0.5, 10000.0, 1e300, Number.MAX_VALUE, 123.456]);
  };
  if (r.chance(validShare)) return valid();
  return r.pick([
    () => true, () => 'INFO', () => 'info', () => '', () => null, () => undefined, () => [], () => ({}),
    () => -2, () => -1, () => 3601, () => 2 ** 31, () => 2 ** 53, () => 2 ** 63, () => 1e21, () => -1e-7,
    () => 1.5, () => -1.0000000000000002, () => NaN, () => Infinity, () => -Infinity, () => new Number(5),
    () => new Boolean(true), () => new String('INFO'), () => new Date(0), () => () => 1, () => Symbol('s'),
    () => 'SUCCEED_WITH_RESPONSE_HEADER', () => 'FAIL_WITH_403', () => '\uD800', () => [true],
    () => ({ toJSON: () => 7 }), () => f.maximum ?? 1, () => (f.minimum ?? 0) - 1,
  ])();
}

const KEYS = [
  '*/*', '~1pets/GET', '~1/GET', '~1a~1{id}/POST', 'GET', 'a/', '/', '/GET', 'x/y/z', '', '__proto__', 'toString',
  'constructor', 'hasOwnProperty', '1', '0/1', '12', 'a\uD800/GET', '\uDC00/GET', '😀/GET', 'a\n/GET', 'a/\n', 'é/é',
  'a\u0000/b', 'a"b/c\\d', '*/GET', 'methodSettings', 'toJSON', 'cacheTtlInSeconds',
];

function key(r) {
  return r.chance(0.6) ? `~1r${r.int(40)}~1{id}/${r.pick(['GET', 'PUT', 'ANY'])}` : r.pick(KEYS);
}

/** A method-setting entry: complete (as GetStage returns it), partial, with unknown fields, or odd. */
function entry(r) {
  const kind = r.int(20);
  if (kind === 0) return r.pick([null, 1, 'x', [], [{}], true]);
  if (kind === 1) return new Map([['cacheTtlInSeconds', 1]]);
  if (kind === 2) return { toJSON: () => ({ cacheTtlInSeconds: 4000 }) };
  const e = kind === 3 ? Object.create(null) : kind === 4 ? new (class Entry {})() : {};
  const full = r.chance(0.6);
  for (const f of FIELDS) {
    if (full ? f.default !== undefined || r.chance(0.5) : r.chance(0.3)) {
      e[f.field] = r.chance(validShare + (1 - validShare) / 2) ? value(r, f) : value(r);
    }
  }
  if (r.chance(0.1)) e[r.pick(['unknown', 'toJSON', '__proto__', 'cachettlinseconds'])] = r.pick([1, 'x', null, {}]);
  if (r.chance(0.05)) Object.defineProperty(e, 'cacheTtlInSeconds', { value: 4000, enumerable: false });
  if (r.chance(0.05)) Object.defineProperty(e, 'metricsEnabled', { get: () => true, enumerable: true });
  return e;
}

function settings(r) {
  if (r.chance(0.04)) return r.pick([null, [], 'x', 7, new Map()]);
  const ms = r.chance(0.1) ? Object.create(null) : {};
  const n = r.int(12);
  for (let i = 0; i < n; i++) {
    const k = key(r);
    // `__proto__` as an own member, as JSON.parse makes it.
    Object.defineProperty(ms, k, { value: entry(r), enumerable: true, writable: true, configurable: true });
  }
  return ms;
}

function stage(r) {
  if (r.chance(0.03)) return r.pick([null, 7, 'x', [], [{ methodSettings: {} }]]);
  const s = r.chance(0.05) ? generateStage(1 + r.int(30), 1 + r.int(5)) : { deploymentId: 'd1', stageName: 'prod' };
  if (r.chance(0.9)) s.methodSettings = settings(r);
  if (r.chance(0.1)) s.variables = { a: 'b', [r.pick(['c', 'd d'])]: r.pick(['x', 1]) };
  if (r.chance(0.05)) s.tags = { t: 'v' };
  if (r.chance(0.05)) s.unknownField = { x: 1 };
  if (r.chance(0.02)) Object.defineProperty(s, 'methodSettings', { value: { GET: {} }, enumerable: false });
  if (r.chance(0.02)) s.toJSON = () => ({ stageName: 'a b' });
  return s;
}

/** A copy of `s` with a few changes of the kinds a diff meets (entries changed, added, removed, …). */
function mutate(r, s) {
  if (s === null || typeof s !== 'object' || Array.isArray(s) || r.chance(0.03)) return stage(r);
  const out = { ...s };
  if (s.methodSettings === null || typeof s.methodSettings !== 'object' || Array.isArray(s.methodSettings)) return out;
  const ms = Object.getPrototypeOf(s.methodSettings) === null ? Object.create(null) : {};
  const keys = Object.keys(s.methodSettings);
  for (const k of r.chance(0.2) ? keys.reverse() : keys) {
    let e = s.methodSettings[k];
    const roll = r.int(12);
    if (roll === 0) continue; // removed
    if (roll === 1) e = entry(r);
    else if (roll === 2 && e && typeof e === 'object' && !Array.isArray(e) && !(e instanceof Map)) {
      e = { ...e };
      const f = r.pick(FIELDS);
      if (r.chance(0.3)) delete e[f.field];
      else e[f.field] = value(r, f);
    } else if (roll === 3 && e && typeof e === 'object' && !Array.isArray(e) && !(e instanceof Map)) {
      e = { ...e }; // the same values in another object
    }
    Object.defineProperty(ms, k, { value: e, enumerable: true, writable: true, configurable: true });
  }
  if (r.chance(0.3)) ms[key(r)] = entry(r);
  if (r.chance(0.02)) Object.defineProperty(ms, keys[0] ?? '~1z/GET', { value: entry(r), enumerable: false });
  out.methodSettings = ms;
  if (r.chance(0.2)) out.deploymentId = 'd2';
  return out;
}

const DEFAULTED = FIELDS.filter((f) => f.default !== undefined).map((f) => f.field);

/** Whether the method settings of `s`, as JSON, are as AWS stores them: canonical keys (a patch path
 * names a key like `x/y/z` ambiguously), every entry with every field AWS always stores. */
function stored(s) {
  const ms = (typeof s === 'string' ? JSON.parse(s) : JSON.parse(JSON.stringify(s))).methodSettings;
  if (ms === undefined) return true;
  return Object.entries(ms).every(([k, e]) => sc.parseMethodSettingKey(k)?.canonical
    && e !== null && typeof e === 'object' && DEFAULTED.every((f) => Object.hasOwn(e, f)));
}

/** What a call gives: its value, or the error's name, message and extra members. */
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    return { error: { name: e.name, message: e.message, field: e.field, path: e.path, errors: e.errors } };
  }
}

/** JSON text of `v` as the reference path takes it: the text, or what stringify throws. */
function text(v) {
  try {
    return { text: JSON.stringify(v) };
  } catch (e) {
    return { thrown: e };
  }
}

/** The answer of the path without pre-pass: the export on JSON text (a string argument is JSON text
 * already), or the TypeError the stringify of the object path gives. */
function reference(call, args, names) {
  for (let i = 0; i < args.length; i++) {
    if (typeof args[i] === 'string') continue;
    const t = text(args[i]);
    if (t.thrown) {
      return { error: { name: 'TypeError', message: `${names[i]} is not a JSON value: ${t.thrown.message}` } };
    }
    if (typeof t.text !== 'string') {
      return { error: { name: 'TypeError', message: `${names[i]} must be a JSON value or JSON text` } };
    }
  }
  return outcome(() => call(...args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))));
}

function same(actual, expected, what) {
  if (actual.error && expected.error) {
    for (const k of ['field', 'path', 'errors']) if (expected.error[k] === undefined) delete actual.error[k];
    for (const k of ['field', 'path', 'errors']) if (actual.error[k] === undefined) delete expected.error[k];
  }
  assert.deepEqual(actual, expected, what);
}

test('validateStage of an object answers as it does for its JSON text', () => {
  const r = rng(18);
  for (let i = 0; i < 4000; i++) {
    const s = stage(r);
    const got = outcome(() => sc.validateStage(s));
    same(got, reference(sc.validateStage, [s], ['stage']), `case ${i}: ${text(s).text}`);
  }
});

test('diffStages of objects answers as it does for their JSON text, and the operations apply back', () => {
  const r = rng(1818);
  let ops = 0;
  let applied = 0;
  validShare = 0.995;
  for (let i = 0; i < 4000; i++) {
    const before = stage(r);
    const after = r.chance(0.1) ? before : mutate(r, before);
    const got = outcome(() => sc.diffStages(before, after));
    same(got, reference(sc.diffStages, [before, after], ['before', 'after']), `case ${i}: ${text(before).text} -> ${text(after).text}`);
    if (got.value) {
      ops += got.value.length;
      // An entry that omits a field AWS always stores inherits it: the law holds for stored stages.
      if (stored(before) && stored(after)) {
        assert.deepEqual(sc.applyPatch(before, got.value), sc.applyPatch(after, []), `case ${i} applies back`);
        applied++;
      }
    }
  }
  validShare = 0.75;
  assert.ok(ops > 1000 && applied > 500, `${ops} operations, ${applied} applied`);
});

test('generated stages: every size, and changes of every entry kind', () => {
  for (const n of [1, 10, 100, 1000]) {
    const before = generateStage(n);
    const after = changeStage(before);
    assert.deepEqual(sc.validateStage(before), sc.validateStage(JSON.stringify(before)));
    const ops = sc.diffStages(before, after);
    assert.deepEqual(ops, sc.diffStages(JSON.stringify(before), JSON.stringify(after)));
    assert.deepEqual(sc.applyPatch(before, ops), sc.applyPatch(after, []));
  }
  // Entries the pre-pass leaves out of a diff still count: one that omits a field AWS always stores
  // inherits `*/*`, and a `*/*` change reaches every entry created later.
  const before = generateStage(5);
  const after = structuredClone(before);
  after.methodSettings['*/*'].cacheTtlInSeconds = 60;
  delete after.methodSettings['~1api~1v1~1resource1~1{id}/POST'].cacheTtlInSeconds;
  delete before.methodSettings['~1api~1v1~1resource1~1{id}/POST'].cacheTtlInSeconds;
  assert.deepEqual(sc.diffStages(before, after), sc.diffStages(JSON.stringify(before), JSON.stringify(after)));
  // A stage over the size limit is still refused when most of it could be left out.
  const huge = generateStage(10);
  huge.description = 'x'.repeat(32 * 1024 * 1024 - 3000);
  assert.equal(outcome(() => sc.validateStage(huge)).error.name, 'RangeError');
  assert.deepEqual(outcome(() => sc.diffStages(huge, huge)), reference(sc.diffStages, [huge, huge], ['before', 'after']));
});

test('the pre-pass runs: it asks each entry for its prototype, which JSON.stringify never does', () => {
  const asked = [];
  const entry = new Proxy({ cacheTtlInSeconds: 60 }, {
    getPrototypeOf(target) {
      asked.push('getPrototypeOf');
      return Reflect.getPrototypeOf(target);
    },
  });
  const stage = { stageName: 'prod', methodSettings: { '~1pets/GET': entry } };
  assert.deepEqual(sc.validateStage(stage), { valid: true, errors: [] });
  assert.ok(asked.length > 0);
  JSON.stringify(stage);
  const afterValidate = asked.length;
  JSON.stringify(stage);
  assert.equal(asked.length, afterValidate);
});
