// The JS side of the crossing (a wasm-bindgen local snippet, see crates/wasm/src/exports.rs): before a
// stage object is turned into JSON text for core, leave out the method-setting entries core would
// certainly find nothing in (validate), or that are identical, complete and valid in both stages (diff).
//
// Every rule stays in core: this is a generic interpreter of data core exports (the settings table's
// types, bounds and enum values, which fields AWS always stores, the pattern of a well-formed key, the
// key of the stage-wide entry). It is conservative: anything it is not sure of (an unknown field, a
// value of another type or out of range, an odd key, an object that is not plain) goes to core whole.

const OBJECT_PROTO = Object.prototype;
const SURROGATE = /[\uD800-\uDFFF]/;
// Whether a string has no lone surrogate (native where the engine has it: Node 20, 2023 browsers).
const wellFormed = typeof ''.isWellFormed === 'function' ? (s) => s.isWellFormed() : (s) => !SURROGATE.test(s);
// The longest JSON text of a number (`-1.2345678901234567e-308` is 24 characters), with margin.
const NUMBER_TEXT = 32;

/**
 * Compiles core's data into the plan the pre-pass reads: `fields` is `methodSettingFields()`,
 * `keyPattern` the pattern every well-formed method-setting key matches, `allMethodsKey` the key of
 * the stage-wide entry (never left out: new keys copy it), `maxBytes` core's input size limit.
 */
export function crossingPlan(fields, keyPattern, allMethodsKey, maxBytes) {
  const byName = new Map();
  // Rows as bits; the rows with a default (AWS always stores them) as a mask.
  let defaulted = 0;
  // Upper bound of the JSON text of one entry (the key aside), in UTF-8 bytes.
  let entryBytes = 2;
  // Past 30 rows there are no bits left: then every entry goes to core.
  const usable = fields.length <= 30;
  fields.forEach((f, row) => {
    const bit = 1 << row;
    if (f.default !== undefined) defaulted |= bit;
    const spec = { kind: 0, min: 0, max: 0, options: null, bit };
    let valueBytes = NUMBER_TEXT;
    if (f.type === 'boolean') {
      valueBytes = 5;
    } else if ((f.type === 'integer' || f.type === 'number') && typeof f.minimum === 'number' && typeof f.maximum === 'number') {
      spec.kind = f.type === 'integer' ? 1 : 2;
      spec.min = f.minimum;
      spec.max = f.maximum;
    } else if (f.type === 'string' && Array.isArray(f.enum)) {
      spec.kind = 3;
      spec.options = f.enum.slice();
      for (const o of f.enum) {
        valueBytes = Math.max(valueBytes, 6 * o.length + 2);
      }
    } else {
      // A kind of value this interpreter does not know: entries with the field go to core (and, if
      // it has a default, every entry, since none can then be complete).
      return;
    }
    if (usable) byName.set(f.field, spec);
    entryBytes += 6 * f.field.length + 4 + valueBytes;
  });
  const names = fields.map((f) => f.field);
  return {
    byName, names, defaulted, entryBytes, key: new RegExp(keyPattern), all: allMethodsKey, maxBytes,
    // The fields of the last entry seen, by position, with their specs (see `specAt`).
    seenNames: [], seenSpecs: [],
  };
}

/** Whether JS itself is as the pre-pass assumes: nothing added to `Object.prototype` that property
 * reads or `for…in` of a plain object would see. */
function pristine(plan) {
  for (const k in OBJECT_PROTO) return false;
  if (OBJECT_PROTO.toJSON !== undefined) return false;
  for (const name of plan.names) if (name in OBJECT_PROTO) return false;
  return true;
}

/** A plain object (literal or `JSON.parse`), whose JSON text is its own enumerable properties. */
function plain(v) {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (proto === OBJECT_PROTO || proto === null) && v.toJSON === undefined;
}

/** A key core finds nothing wrong with, without lone surrogates (`JSON.stringify` escapes them, and
 * core refuses such an escape). */
function plainKey(plan, key) {
  return plan.key.test(key) && wellFormed(key);
}

/** Whether the value of field `spec` is one core accepts. */
function goodValue(spec, v) {
  switch (spec.kind) {
    case 0:
      return typeof v === 'boolean';
    case 1:
      return Number.isSafeInteger(v) && v >= spec.min && v <= spec.max;
    case 2:
      return typeof v === 'number' && v >= spec.min && v <= spec.max;
    default:
      // A few options: compared one by one (faster than a `Set` for two or three).
      return typeof v === 'string' && spec.options.includes(v);
  }
}

/** The spec of field `name`, the `i`-th that `for…in` visits in an entry, or `undefined` for a field
 * not in the table. Entries mostly share one order of fields: the last one seen at `i` is remembered. */
function specAt(plan, i, name) {
  if (plan.seenNames[i] === name) return plan.seenSpecs[i];
  const spec = plan.byName.get(name);
  if (spec !== undefined) {
    plan.seenNames[i] = name;
    plan.seenSpecs[i] = spec;
  }
  return spec;
}

/** Whether every field of entry `e` is in the table with a value core accepts. */
function goodEntry(plan, e) {
  if (!plain(e)) return false;
  let i = 0;
  for (const name in e) {
    const spec = specAt(plan, i++, name);
    if (spec === undefined || !goodValue(spec, e[name])) return false;
  }
  return true;
}

/** The `methodSettings` object of `stage` if the pre-pass can work on it, else `undefined`. */
function settingsOf(plan, stage) {
  if (!plain(stage) || !pristine(plan)) return undefined;
  const settings = stage.methodSettings;
  if (!plain(settings) || !OBJECT_PROTO.propertyIsEnumerable.call(stage, 'methodSettings')) return undefined;
  return settings;
}

/** `stage` with `methodSettings` replaced by `settings`, every other member as it was. */
function withSettings(stage, settings) {
  const copy = { ...stage };
  copy.methodSettings = settings;
  return copy;
}

/** Upper bound of the UTF-8 bytes of JSON text of the entry `key` that the pre-pass leaves out. */
function entryBytes(plan, key) {
  return 6 * key.length + 4 + plan.entryBytes;
}

/**
 * For `validateStage`: `[reduced, saved]`, the stage without the entries core would find no issue in
 * and an upper bound of the UTF-8 bytes of JSON text left out; `undefined` to send `stage` as it is.
 */
function reduceStage(plan, stage) {
  const settings = settingsOf(plan, stage);
  if (settings === undefined) return undefined;
  const kept = Object.create(null);
  let saved = 0;
  // The members `JSON.stringify` writes: own, enumerable, in its order.
  const keys = Object.keys(settings);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const e = settings[key];
    if (plainKey(plan, key) && goodEntry(plan, e)) saved += entryBytes(plan, key);
    else kept[key] = e;
  }
  return saved === 0 ? undefined : [withSettings(stage, kept), saved];
}

/**
 * Whether entries `b` and `a` have the same fields with the same values, every one in the table and
 * accepted by core, and every field AWS always stores present (an omitted one would inherit `*` `/` `*`).
 * Each side's fields are those `for…in` visits (as `JSON.stringify`), compared as sets of table rows.
 */
function sameEntry(plan, b, a) {
  if (!plain(b) || !plain(a)) return false;
  let mb = 0;
  let i = 0;
  for (const name in b) {
    const spec = specAt(plan, i++, name);
    if (spec === undefined || !goodValue(spec, b[name])) return false;
    mb |= spec.bit;
  }
  if ((mb & plan.defaulted) !== plan.defaulted) return false;
  let ma = 0;
  i = 0;
  for (const name in a) {
    const spec = specAt(plan, i++, name);
    // `b[name]` is `b`'s own member once the sets are found equal below.
    if (spec === undefined || a[name] !== b[name]) return false;
    ma |= spec.bit;
  }
  return ma === mb;
}

/** Whether the diff can leave out entry `key` (`eb` before, `ea` after): it gives no operation. */
function unchanged(plan, key, eb, ea) {
  return key !== plan.all && plainKey(plan, key) && sameEntry(plan, eb, ea);
}

/**
 * For `diffStages`: `[before', after', savedBefore, savedAfter]`, both stages without the entries that
 * are identical, complete and valid in both (they give no operation), and upper bounds of the bytes
 * left out; `undefined` to send the stages as they are.
 */
function reducePair(plan, before, after) {
  const b = settingsOf(plan, before);
  const a = b === undefined ? undefined : settingsOf(plan, after);
  if (a === undefined) return undefined;
  const kb = Object.keys(b);
  const ka = Object.keys(a);
  const keptBefore = Object.create(null);
  const keptAfter = Object.create(null);
  let saved = 0;
  // In step while both list the same keys in the same order (as two reads of one source do).
  let i = 0;
  for (; i < kb.length && i < ka.length && kb[i] === ka[i]; i++) {
    const key = kb[i];
    const eb = b[key];
    const ea = a[key];
    if (unchanged(plan, key, eb, ea)) {
      saved += entryBytes(plan, key);
    } else {
      keptBefore[key] = eb;
      keptAfter[key] = ea;
    }
  }
  // The rest by key (none of them is among the first `i` of either list).
  const skipped = new Set();
  for (let j = i; j < kb.length; j++) {
    const key = kb[j];
    const eb = b[key];
    const ea = a[key];
    if (ea !== undefined && unchanged(plan, key, eb, ea)) {
      skipped.add(key);
      saved += entryBytes(plan, key);
    } else {
      keptBefore[key] = eb;
    }
  }
  let seen = 0;
  for (let j = i; j < ka.length; j++) {
    const key = ka[j];
    if (skipped.has(key)) seen++;
    else keptAfter[key] = a[key];
  }
  // Each entry left out must be one `after` lists (own and enumerable, as `JSON.stringify` sees it).
  if (saved === 0 || seen !== skipped.size) return undefined;
  return [withSettings(before, keptBefore), withSettings(after, keptAfter), saved, saved];
}

/** `JSON.stringify(doc)` if the whole document, `saved` more bytes of UTF-8 (at most three a UTF-16
 * unit), is certainly within core's size limit; else `undefined` (core then takes the whole one). */
function textWithin(plan, doc, saved) {
  const text = JSON.stringify(doc);
  return typeof text === 'string' && 3 * text.length + saved <= plan.maxBytes ? text : undefined;
}

/** For `validateStage`, in one crossing: the JSON text of `reduceStage`'s stage, or `undefined` to
 * send `stage` as it is. */
export function reducedStageText(plan, stage) {
  const r = reduceStage(plan, stage);
  return r === undefined ? undefined : textWithin(plan, r[0], r[1]);
}

/** For `diffStages`: `[before text, after text]` of `reducePair`'s stages, or `undefined`. */
export function reducedPairTexts(plan, before, after) {
  const r = reducePair(plan, before, after);
  if (r === undefined) return undefined;
  const b = textWithin(plan, r[0], r[2]);
  const a = b === undefined ? undefined : textWithin(plan, r[1], r[3]);
  return a === undefined ? undefined : [b, a];
}

/** A valid report, `{ valid: true, errors: [] }`, fresh (the caller owns it). */
export function validReport() {
  return { valid: true, errors: [] };
}
