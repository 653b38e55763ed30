// Which build a page's options choose (src/js/builds.js), against what each
// build holds: a capability the options turn on is always in the build, one
// they leave off never is. Node only; the pages that fetch the builds are in
// scripttag.test.mjs and install.test.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildFor, buildNames } from '../../src/js/builds.js';
import { root } from './harness.mjs';

test('the options choose the build with exactly the capabilities they turn on', () => {
  const cases = [
    [{}, 'signals-attribution'],
    [{ autocapture: true }, 'signals-attribution'],
    [{ autocapture: false }, 'attribution'],
    [{ autocapture: false, attribution: false }, 'core'],
    [{ autocapture: false, attribution: { internalDomains: ['pay.example'] } }, 'attribution'],
    [{ autocapture: { pageViews: false } }, 'signals-attribution'],
    [{ autocapture: { scrollDepth: { milestones: [50] }, history: false } }, 'signals-attribution'],
    [{ autocapture: { history: false, scrollDepth: false, rageClick: false, exitIntent: false, pageLeave: false, clicks: false }, attribution: false }, 'core'],
    [{ autocapture: false, dataLayer: true }, 'attribution-datalayer'],
    [{ autocapture: false, attribution: false, dataLayer: { consentMode: true } }, 'datalayer'],
    [{ dataLayer: false }, 'signals-attribution'],
    [{ attribution: false }, 'signals'],
    [{ dataLayer: true }, 'signals-attribution-datalayer'],
    [{ dataLayer: { ecommerce: true } }, 'signals-attribution-datalayer-ecommerce'],
    [{ dataLayer: { forward: true, ecommerce: false } }, 'signals-attribution-datalayer'],
    [{ autocapture: false, attribution: false, dataLayer: { ecommerce: true } }, 'datalayer-ecommerce'],
    // errors is built with the default capabilities, and in the build with everything.
    [{ autocapture: { errors: true } }, 'signals-attribution-errors'],
    [{ autocapture: { errors: true, scrollDepth: false }, attribution: false }, 'signals-attribution-errors'],
    [{ autocapture: { errors: true }, dataLayer: true }, 'signals-attribution-datalayer-ecommerce-errors-forms-vitals-heatmap-experiments'],
    [{ autocapture: { errors: false } }, 'signals-attribution'],
    [{ autocapture: { forms: true } }, 'signals-attribution-forms'],
    // Several automatic captures without the dataLayer: the build of all of them.
    [{ autocapture: { forms: true, errors: true } }, 'signals-attribution-errors-forms-vitals-heatmap-experiments'],
    [{ autocapture: { webVitals: true } }, 'signals-attribution-vitals'],
    [{ autocapture: { webVitals: true, errors: true }, attribution: false }, 'signals-attribution-errors-forms-vitals-heatmap-experiments'],
    [{ autocapture: { heatmap: true } }, 'signals-attribution-heatmap'],
    [{ autocapture: { heatmap: true, history: false, scrollDepth: false, rageClick: false, exitIntent: false, pageLeave: false, clicks: false } }, 'signals-attribution-heatmap'],
    [{ experiments: { hero: { variants: ['a', 'b'] } } }, 'signals-attribution-experiments'],
    [{ experiments: {} }, 'signals-attribution'],
    [{ experiments: { hero: { variants: ['a', 'b'] } }, autocapture: { heatmap: true } }, 'signals-attribution-errors-forms-vitals-heatmap-experiments'],
    [{ autocapture: { webVitals: true }, dataLayer: { ecommerce: true } }, 'signals-attribution-datalayer-ecommerce-errors-forms-vitals-heatmap-experiments'],
  ];
  for (const [options, build] of cases) assert.equal(buildFor(options), build, JSON.stringify(options));
});

test('options footfall will refuse, or cannot read, choose the build with everything (so init says what is wrong)', () => {
  const hostile = {
    get autocapture() {
      throw new Error('no');
    },
  };
  const full = 'signals-attribution-datalayer-ecommerce-errors-forms-vitals-heatmap-experiments';
  assert.equal(buildFor(hostile), full);
  assert.equal(buildFor({ autocapture: 'yes' }), full);
  assert.equal(buildFor(new Proxy({}, { get: () => { throw new Error('no'); } })), full);
});

test('every build a page can choose is in dist/, glue module and wasm', () => {
  // Every option set a page can give maps to a build that exists.
  const names = buildNames();
  for (const autocapture of [true, false]) for (const attribution of [true, false]) for (const dataLayer of [undefined, true, { ecommerce: true }]) {
    assert.ok(names.includes(buildFor({ autocapture, attribution, dataLayer })), JSON.stringify({ autocapture, attribution, dataLayer }));
    assert.ok(names.includes(buildFor({ autocapture: { errors: autocapture }, attribution, dataLayer })));
  }
  for (const name of buildNames()) {
    for (const ext of ['mjs', 'wasm']) assert.ok(existsSync(join(root, 'dist', `footfall.${name}.${ext}`)), `dist/footfall.${name}.${ext}`);
  }
});
