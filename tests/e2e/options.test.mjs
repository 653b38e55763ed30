// The option names the JS entry and the loader know (src/js/options.js), held
// to the TypeScript declarations written beside the Rust that reads them
// (src/api/types.d.ts, included by src/api.rs), and the warning for the names
// footfall ignores. Node only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPTIONS, nearestOption, unknownOptions, warnUnknownOptions } from '../../src/js/options.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The interfaces of the TypeScript section (src/api/types.d.ts): name -> [[member, its type text]]. */
function declarations() {
  const rust = readFileSync(join(root, 'src/api/types.d.ts'), 'utf8');
  const interfaces = new Map();
  for (const [, name, body] of rust.matchAll(/^export interface (\w+) \{\n([^]*?)^\}/gm)) {
    interfaces.set(name, [...body.matchAll(/^ {2}(\w+)\??: (.*)$/gm)].map((m) => [m[1], m[2]]));
  }
  return interfaces;
}

test('the known options are exactly the declared ones, one level deep', () => {
  const interfaces = declarations();
  const declared = {};
  for (const [name, type] of interfaces.get('FootfallOptions')) {
    // A `Record<string, ...>` (experiments) has the site's own keys: not checked.
    const nested = !type.startsWith('Record<') && [...type.matchAll(/\bFootfall\w+/g)].map((m) => m[0]).find((t) => interfaces.has(t));
    declared[name] = nested ? interfaces.get(nested).map(([member]) => member).sort().join(' ') : '';
  }
  const known = Object.fromEntries(Object.entries(OPTIONS).map(([k, v]) => [k, v.split(' ').filter(Boolean).sort().join(' ')]));
  assert.deepEqual(known, declared, 'src/js/options.js lists what src/api/types.d.ts declares (add a new option to both)');
});

test('unknown names are reported as paths; known ones, and values that are not objects, are not', () => {
  assert.deepEqual(unknownOptions({ endpoint: '/c', flushAt: 5, autocapture: false, dataLayer: true, consent: { mode: 'opt-in' } }), []);
  assert.deepEqual(
    unknownOptions({ endpoint: '/c', flushAT: 5, privacy: { redactEmail: false, cookieless: true }, autocapture: { pageView: false, scrollDepth: { milestones: [50] } } }),
    ['flushAT', 'privacy.redactEmail', 'autocapture.pageView'],
  );
  assert.deepEqual(unknownOptions({ endpoint: '/c', toString: 1, hasOwnProperty: 2, __proto__: { inherited: 1 } }), ['toString', 'hasOwnProperty']);
});

test('a hostile options object never makes the check throw or run long', () => {
  const throwing = new Proxy({}, { ownKeys: () => { throw new Error('no'); } });
  assert.deepEqual(unknownOptions(throwing), []);
  const getter = { typo: 1, get privacy() { throw new Error('no'); } };
  assert.deepEqual(unknownOptions(getter), ['typo']);
  const many = Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, i]));
  const t0 = performance.now();
  assert.equal(unknownOptions(many).length, 20, 'at most 20 reported');
  assert.ok(performance.now() - t0 < 500);
  for (const v of [undefined, null, 5, 'x']) assert.deepEqual(unknownOptions(v), []);
});

test('the warning: with debug only, naming each ignored option', (t) => {
  const warnings = [];
  t.mock.method(console, 'warn', (...a) => warnings.push(a.join(' ')));
  warnUnknownOptions({ endpoint: '/c', flushAT: 5 });
  warnUnknownOptions({ endpoint: '/c', debug: true });
  assert.deepEqual(warnings, []);
  warnUnknownOptions({ endpoint: '/c', flushAT: 5, privacy: { redactEmail: false }, debug: true });
  assert.deepEqual(warnings, ['footfall: unknown options ignored: flushAT (did you mean flushAt?), privacy.redactEmail (did you mean privacy.redactEmails?)']);
  for (const v of [undefined, null, 'x', new Proxy({}, { get: () => { throw new Error('no'); } })]) warnUnknownOptions(v);
});

test('the name probably meant: case ignored, at most two letters off, at its own level', () => {
  const cases = [
    ['flushAT', 'flushAt'],
    ['endpoints', 'endpoint'],
    ['writekey', 'writeKey'],
    ['autocapture.pageView', 'autocapture.pageViews'],
    ['consent.Mode', 'consent.mode'],
    ['privacy.redactEmail', 'privacy.redactEmails'],
    ['xyz', undefined],
    ['toString', undefined],
    ['privacy.endpoint', undefined],
  ];
  for (const [path, want] of cases) assert.equal(nearestOption(path), want, path);
  const t0 = performance.now();
  assert.equal(nearestOption('f'.repeat(1_000_000)), undefined);
  assert.ok(performance.now() - t0 < 100, 'a huge key costs nothing');
});
