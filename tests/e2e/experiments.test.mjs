// Experiments (`experiments` option, `variant(key)`, declarative
// `data-ff-experiment` elements), in Chromium, Firefox and WebKit:
// GrowthBook's assignment, kept; `Experiment Viewed` once per session
// across reloads and tabs; `context.experiments` after it; variants forced
// by `?ff_variant=`; nothing recorded without consent; variant elements
// shown without flicker, on a returning visit before the wasm arrives, and
// the first variant on time-out with nothing recorded.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachEngine, readmeBlock, root, serve, serveBuilds, sleep } from './harness.mjs';
import { buildFor } from '../../src/js/builds.js';

/** 32-bit FNV-1a over UTF-16 code units, as GrowthBook's JavaScript SDK computes it. */
function fnv1a32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** GrowthBook's hash version 2: the bucket of `id` in experiment `seed`. */
const bucket = (seed, id) => (fnv1a32(String(fnv1a32(seed + id))) % 10000) / 10000;

const HERO = { variants: ['control', 'urgent'], name: 'Hero copy' };
// The README's rule for npm users, and its variant elements.
const CSS = `<style>${await readmeBlock('css', '[data-ff-experiment]')}</style>`;
const ELEMENTS = await readmeBlock('html', 'data-ff-experiment="hero_copy"');

/**
 * A page with the hero experiment's two elements, a frame sampler noting
 * every variant element ever visible (`window.seen`), and footfall started
 * with `options` through the ES module entry.
 */
const page = (options, script = '', head = CSS) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Experiments</title>${head}
<script src="/tests/e2e/pages/sample-variants.js"></script></head><body>
${ELEMENTS}
<script>
  const shown = () => [...document.querySelectorAll('[data-ff-experiment]')].filter((el) => el.getClientRects().length).map((el) => el.getAttribute('data-ff-variant'));
  window.atParsed = shown();
  window.shown = shown;
</script>
<script type="module">
import { init } from '/dist/footfall.mjs';
window.ff = await init(${JSON.stringify({ endpoint: '/collect', flushAt: 1, experimentTimeoutMs: 10_000, ...options })});
window.readyShown = shown();
${script}
window.done = true;
</script></body></html>`,
});

const viewed = (collector) => collector.events().filter((e) => e.event === 'Experiment Viewed');

forEachEngine((get, engine) => {
  beforeEach(() => get().collector.reset());

  test('variant() is GrowthBook\'s assignment, kept; Experiment Viewed once per session across reloads and tabs; context.experiments after it', async () => {
    const { browser, collector } = get();
    serve(collector, '/exp/page.html', page({ experiments: { hero_copy: HERO } }, "ff.trackEvent('after');"));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/page.html');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    const id = await p.evaluate(() => ff.anonymousId());
    const expected = bucket('hero_copy', id) < 0.5 ? 'control' : 'urgent';
    assert.equal(await p.evaluate(() => ff.variant('hero_copy')), expected);
    assert.deepEqual(await p.evaluate(() => window.readyShown), [expected], 'the element shown in the frame footfall became ready');
    assert.deepEqual(await p.evaluate(() => window.seen), [expected], 'the other variant never showed');
    await collector.waitFor((c) => c.events().some((e) => e.event === 'after'), 10_000, 'after');
    await p.reload();
    await p.waitForFunction(() => window.done, undefined, 15_000);
    const second = await context.newPage(collector.origin + '/exp/page.html');
    await second.waitForFunction(() => window.done, undefined, 15_000);
    assert.equal(await second.evaluate(() => ff.variant('hero_copy')), expected);
    await collector.waitFor((c) => c.events().filter((e) => e.event === 'after').length >= 3, 10_000, 'three pages');
    await sleep(300);
    const views = viewed(collector);
    assert.equal(views.length, 1, 'once per session, across reloads and tabs');
    assert.deepEqual(views[0].properties, { experiment_id: 'hero_copy', experiment_name: 'Hero copy', variation_id: expected, variation_name: expected });
    for (const e of collector.events().filter((e) => e.event === 'after')) assert.deepEqual(e.context.experiments, { hero_copy: expected });
    const stored = await p.evaluate(() => localStorage.getItem('footfall.exp'));
    assert.ok(stored.startsWith('hero_copy=' + expected + '='), stored);
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('a sample of 120 visitors (reset() between): each variant() is GrowthBook\'s, weights 0.2/0.3/0.5 at coverage 0.8 and a seed; outside the coverage, the control and no exposure', async () => {
    const { browser, collector } = get();
    const PRICE = { variants: ['low', 'mid', 'high'], weights: [0.2, 0.3, 0.5], coverage: 0.8, seed: 'price-2026' };
    serve(collector, '/exp/sample.html', page({ experiments: { price: PRICE } }));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/sample.html');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    const sample = await p.evaluate(() => {
      const out = [];
      for (let i = 0; i < 120; i++) {
        ff.reset();
        out.push([ff.anonymousId(), ff.variant('price')]);
      }
      return out;
    });
    // GrowthBook's bucket ranges, written out: [start, start + coverage * weight) per variant.
    let start = 0;
    const ranges = PRICE.weights.map((w) => [start, (start += w) - w + PRICE.coverage * w]);
    const outside = [];
    for (const [id, got] of sample) {
      const n = bucket(PRICE.seed, id);
      const i = ranges.findIndex(([a, b]) => n >= a && n < b);
      assert.equal(got, PRICE.variants[Math.max(i, 0)], `visitor ${id}, bucket ${n}`);
      if (i < 0) outside.push(id);
    }
    assert.equal(new Set(sample.map(([id]) => id)).size, 120, 'a new visitor at each reset()');
    assert.ok(outside.length > 5 && new Set(sample.map(([, v]) => v)).size === 3, `a spread sample (${outside.length} outside the coverage)`);
    await p.evaluate(() => ff.flush());
    await sleep(200);
    const exposed = new Set(viewed(collector).map((e) => e.anonymousId));
    assert.equal(exposed.size, 120 - outside.length, 'one exposure per visitor in the experiment');
    assert.ok(outside.every((id) => !exposed.has(id)), 'none for visitors outside the coverage');
    await context.close();
  });

  test('the README example: init with an experiment, variant() answers and the exposure is sent', async () => {
    const { browser, collector } = get();
    const block = await readmeBlock('js', 'hero_copy: { variants:');
    serve(collector, '/exp/readme.html', {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><title>README</title><script type="module">
import { init } from '/dist/footfall.mjs';
const endpoint = '/collect';
${block}
window.v = ff.variant('hero_copy');
</script>`,
    });
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/readme.html');
    await p.waitForFunction(() => window.v, undefined, 15_000);
    assert.ok(['control', 'urgent'].includes(await p.evaluate(() => window.v)));
    await collector.waitFor((c) => viewed(c).length === 1, 10_000, 'Experiment Viewed');
    assert.equal(viewed(collector)[0].properties.experiment_name, 'Hero copy');
    await context.close();
  });

  test('a returning visitor sees the kept variant before the wasm arrives; on time-out the first variant shows and nothing is recorded', async () => {
    const { browser, collector } = get();
    // Everyone gets `urgent`.
    const options = { experiments: { hero_copy: { ...HERO, weights: [0, 1] } }, experimentTimeoutMs: 300 };
    // The experiments snippet inline in the head (the README's advice for
    // the first frame, npm or not), with the same time-out.
    const hold = readFileSync(join(root, 'dist/footfall.experiments.min.js'), 'utf8').trim();
    serve(collector, '/exp/page.html', page(options, '', `<script>window.footfallSettings = { experimentTimeoutMs: 300 };</script><script>${hold}</script>`));
    const build = buildFor(options);
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/page.html');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    assert.equal(await p.evaluate(() => ff.variant('hero_copy')), 'urgent');
    // Back, with the wasm slower than the time-out: the kept variant shows as the page is parsed.
    serve(collector, `/dist/footfall.${build}.wasm`, { file: `dist/footfall.${build}.wasm`, type: 'application/wasm', delayMs: 1_500 });
    await p.reload();
    await p.waitForFunction(() => window.done, undefined, 15_000);
    assert.deepEqual(await p.evaluate(() => window.atParsed), ['urgent'], 'shown before footfall loaded');
    assert.deepEqual(await p.evaluate(() => window.seen), ['urgent']);
    // A new visitor, footfall too slow: the first variant at the time-out, nothing recorded.
    const fresh = await browser.newContext();
    const q = await fresh.newPage(collector.origin + '/exp/page.html');
    await q.waitForFunction(() => window.shown && window.shown().length === 1, undefined, 5_000);
    assert.deepEqual(await q.evaluate(() => window.shown()), ['control'], 'the first variant on time-out');
    await q.waitForFunction(() => window.done, undefined, 15_000);
    assert.deepEqual(await q.evaluate(() => window.shown()), ['control'], 'not switched when footfall came');
    assert.deepEqual(await q.evaluate(() => window.seen), ['control']);
    const qid = await q.evaluate(() => ff.anonymousId());
    await q.evaluate(() => ff.flush());
    await sleep(300);
    assert.ok(!viewed(collector).some((e) => e.anonymousId === qid), 'nothing recorded for the timed-out visitor');
    await context.close();
    await fresh.close();
  });

  test('variant elements rendered later (a single-page app) show as assigned, and on time-out their first variant', async () => {
    const { browser, collector } = get();
    // Everyone gets `urgent` and `b`; the `cta` elements come 400 ms after the page.
    const options = { experiments: { hero_copy: { ...HERO, weights: [0, 1] }, cta: { variants: ['a', 'b'], weights: [0, 1] } }, experimentTimeoutMs: 300 };
    const later = `<script>setTimeout(() => document.body.insertAdjacentHTML('beforeend',
      '<div id="later"><p data-ff-experiment="cta" data-ff-variant="a">A</p><p data-ff-experiment="cta" data-ff-variant="b">B</p></div>'), 400);</script>`;
    const hold = readFileSync(join(root, 'dist/footfall.experiments.min.js'), 'utf8').trim();
    serve(collector, '/exp/later.html', page({ ...options, experimentTimeoutMs: 10_000 }, '', `${CSS}${later}`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/later.html');
    await p.waitForFunction(() => !!(window.done && document.getElementById('later')), undefined, 15_000);
    await p.waitForFunction(() => window.shown().length === 2, undefined, 5_000);
    await sleep(100);
    assert.deepEqual(await p.evaluate(() => window.shown()), ['urgent', 'b']);
    assert.deepEqual(await p.evaluate(() => window.seen), ['urgent', 'b'], 'no frame showed another variant');
    await collector.waitFor((c) => viewed(c).length === 2, 10_000, 'both exposures');
    assert.deepEqual(viewed(collector).map((e) => e.properties.variation_id).sort(), ['b', 'urgent']);
    assert.deepEqual(await p.errors(), []);
    await context.close();
    // footfall slower than the time-out: the elements rendered after it show their first variant.
    const build = buildFor(options);
    serve(collector, `/dist/footfall.${build}.wasm`, { file: `dist/footfall.${build}.wasm`, type: 'application/wasm', delayMs: 1_500 });
    serve(collector, '/exp/later-slow.html', page(options, '', `<script>window.footfallSettings = { experimentTimeoutMs: 300 };</script><script>${hold}</script>${later}`));
    const fresh = await browser.newContext();
    const q = await fresh.newPage(collector.origin + '/exp/later-slow.html');
    await q.waitForFunction(() => !!(window.done && document.getElementById('later')), undefined, 15_000);
    assert.deepEqual(await q.evaluate(() => window.shown()), ['control', 'a']);
    assert.deepEqual(await q.evaluate(() => window.seen), ['control', 'a']);
    assert.deepEqual(await q.errors(), []);
    await fresh.close();
  });

  test('?ff_variant= forces a variant for one page view: exposure with forced: true, not kept', async () => {
    const { browser, collector } = get();
    serve(collector, '/exp/forced.html', page({ experiments: { hero_copy: { ...HERO, weights: [1, 0] } } }));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/forced.html?ff_variant=hero_copy:urgent');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    assert.equal(await p.evaluate(() => ff.variant('hero_copy')), 'urgent');
    assert.deepEqual(await p.evaluate(() => window.readyShown), ['urgent']);
    const forced = (c) => viewed(c).filter((e) => e.context.page.path === '/exp/forced.html');
    await collector.waitFor((c) => forced(c).length >= 1, 10_000, 'the forced exposure');
    assert.equal(forced(collector)[0].properties.forced, true);
    assert.equal(forced(collector)[0].properties.variation_id, 'urgent');
    await p.goto(collector.origin + '/exp/forced.html');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    assert.equal(await p.evaluate(() => ff.variant('hero_copy')), 'control', 'not kept: the weights decide on the next page');
    await context.close();
  });

  test('without consent: the first variant, nothing sent or stored; after consent, assigned and recorded', async () => {
    const { browser, collector } = get();
    serve(collector, '/exp/consent.html', page({ experiments: { hero_copy: { ...HERO, weights: [0, 1] } }, consent: { mode: 'opt-in' } }));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/consent.html');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    assert.equal(await p.evaluate(() => ff.variant('hero_copy')), 'control');
    assert.deepEqual(await p.evaluate(() => window.readyShown), ['control']);
    await sleep(500);
    assert.deepEqual(collector.events().filter((e) => e.context?.page?.path === '/exp/consent.html'), [], 'nothing sent');
    assert.deepEqual(await p.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.'))), [], 'nothing stored');
    await p.evaluate(() => ff.setConsent({ analytics: true }));
    assert.equal(await p.evaluate(() => ff.variant('hero_copy')), 'urgent');
    await collector.waitFor((c) => viewed(c).some((e) => e.context.page.path === '/exp/consent.html'), 10_000, 'the exposure after consent');
    await context.close();
  });

  test('script tag: the experiments snippet keeps the variant elements hidden; the loader shows the assigned one as footfall starts', async () => {
    const { browser, collector } = get();
    serveBuilds(collector);
    serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
    const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8').trim();
    const experimentsSnippet = readFileSync(join(root, 'dist/footfall.experiments.min.js'), 'utf8').trim();
    const options = JSON.stringify({ flushAt: 1, experiments: { hero_copy: { ...HERO, weights: [0, 1] } } });
    serve(collector, '/exp/tag.html', {
      type: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tag</title>
<script>${experimentsSnippet}</script>
<script>${snippet}</script>
<script async src="/footfall/footfall.js" data-endpoint="/collect" data-options='${options}'></script>
<script src="/tests/e2e/pages/sample-variants.js"></script></head><body>
<h1 data-ff-experiment="hero_copy" data-ff-variant="control">Phone repair</h1>
<h1 data-ff-experiment="hero_copy" data-ff-variant="urgent">Fixed today</h1>
</body></html>`,
    });
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/tag.html');
    await collector.waitFor((c) => viewed(c).length === 1, 15_000, 'the exposure');
    assert.equal(await p.evaluate(() => footfall.variant('hero_copy')), 'urgent');
    assert.deepEqual(await p.evaluate(() => window.seen), ['urgent'], 'the control never showed');
    await context.close();
  });

  test('bad experiment options: debug warnings and defaults, never an exception', async () => {
    const { browser, collector } = get();
    const experiments = {
      none: { variants: [] },
      dup: { variants: ['a', 'a', 'b'], weights: [0.3, 0.3], coverage: 3 },
      odd: { variants: 'ab', weights: 'x', coverage: 'all', hashAttribute: 'email' },
    };
    serve(collector, '/exp/page.html', page({ experiments, debug: true }, "window.answers = [ff.variant('nope'), ff.variant('none'), ff.variant('dup'), ff.variant(42), ff.variant()];"));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/exp/page.html');
    await p.waitForFunction(() => window.done, undefined, 15_000);
    const [nope, none, dup, number, nothing] = await p.evaluate(() => window.answers);
    assert.deepEqual([nope, none, number, nothing], ['', '', '', '']);
    assert.ok(['a', 'b'].includes(dup));
    const warnings = (await p.warnings()).join('\n');
    for (const says of ['it has no variants', 'appears twice', 'coverage clamped', 'no experiment has this key']) assert.ok(warnings.includes(says), `${says} in ${warnings}`);
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });
});
