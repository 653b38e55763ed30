// The demo's A/B experiment (the home page's headline, `hero_copy`): the
// inspector's split of the booking funnel by variant
// (www/assets/experiments.js) on synthetic events, in Node; then the
// experiment in the store and the Experiments panel, in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './harness.mjs';
import { useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { computeExperiments, EXPERIMENTS } from '../../www/assets/experiments.js';
import { pathOf } from '../../www/assets/funnel.js';

const at = (s) => `2026-11-22T12:00:${String(s).padStart(2, '0')}.000Z`;
let n = 0;
const page = (id, s, path) => ({ type: 'page', messageId: `m-${++n}`, anonymousId: id, timestamp: at(s), properties: { path } });
const track = (id, s, event, properties = {}) => ({ type: 'track', messageId: `m-${++n}`, anonymousId: id, timestamp: at(s), event, properties });
const viewed = (id, s, variation, extra = {}) =>
  track(id, s, 'Experiment Viewed', { experiment_id: 'hero_copy', experiment_name: 'Hero copy', variation_id: variation, variation_name: variation, ...extra });
/** The whole booking funnel from second `s` on. */
const books = (id, s) => [page(id, s, '/services/battery'), track(id, s + 1, 'price_checked'), track(id, s + 2, 'booking_started'), track(id, s + 3, 'booking_completed')];
/** `[variant, visitors, [step counts], converted, conversion]` per variant of the first experiment. */
const rows = (events, known) => computeExperiments(events, known)[0].variants.map((v) => [v.id, v.visitors, v.steps.map((s) => s.count), v.converted, v.conversion]);

test('experiments: visitors split by the variant they were exposed to; the funnel and conversion per variant', () => {
  const events = [
    // a (control): lands, is exposed, books.
    page('a', 1, '/'),
    viewed('a', 2, 'control'),
    ...books('a', 3),
    // b (control): exposed, views a service, leaves.
    viewed('b', 1, 'control'),
    page('b', 2, '/services/iphone-screen'),
    // c (urgent): exposed, books.
    viewed('c', 1, 'urgent'),
    ...books('c', 2),
    // d (urgent): exposed, starts a booking without checking a price (ordered funnel: stops at service viewed).
    viewed('d', 1, 'urgent'),
    page('d', 2, '/services/diagnostics'),
    track('d', 3, 'booking_started'),
    // e (urgent): exposed, nothing else.
    viewed('e', 5, 'urgent'),
    // f: never exposed, books: in no variant.
    page('f', 1, '/'),
    ...books('f', 2),
  ];
  const [x] = computeExperiments(events);
  assert.equal(x.id, 'hero_copy');
  assert.equal(x.name, 'Hero copy');
  assert.equal(x.visitors, 5);
  assert.equal(x.forced, 0);
  assert.deepEqual(rows(events), [
    ['control', 2, [2, 2, 1, 1, 1], 1, 50],
    ['urgent', 3, [3, 2, 1, 1, 1], 1, 33],
  ]);
  assert.deepEqual(
    x.variants[0].steps.map((s) => s.id),
    ['landing', 'service_viewed', 'price_checked', 'booking_started', 'booking_completed'],
    "funnel.js's steps",
  );
});

test('experiments: only what follows the exposure counts; a visitor counts once, under their first exposure', () => {
  const events = [
    // a booked before being exposed: exposed, not converted.
    ...books('a', 1),
    viewed('a', 10, 'control'),
    // b: exposed in two sessions (two Experiment Viewed), books once: one visitor.
    viewed('b', 1, 'urgent'),
    viewed('b', 20, 'urgent'),
    ...books('b', 21),
    // c: first exposed to control (by timestamp, though it arrived last), then urgent: counted under control only.
    viewed('c', 9, 'urgent'),
    ...books('c', 10),
    viewed('c', 5, 'control'),
    // events arriving late but stamped before the exposure do not count: d stops at landing.
    viewed('d', 30, 'control'),
    page('d', 29, '/services/battery'),
  ];
  assert.deepEqual(rows(events), [
    ['control', 3, [3, 1, 1, 1, 1], 1, 33],
    ['urgent', 1, [1, 1, 1, 1, 1], 1, 100],
  ]);
});

test('experiments: an event received again (same messageId) counts once; forced exposures are counted apart', () => {
  const a = viewed('a', 1, 'control');
  const done = track('a', 5, 'booking_completed');
  const events = [a, { ...a }, ...books('a', 1).slice(0, 3), done, { ...done }, a];
  assert.deepEqual(rows(events), [
    ['control', 1, [1, 1, 1, 1, 1], 1, 100],
    ['urgent', 0, [0, 0, 0, 0, 0], 0, 0],
  ]);
  // The same exposure retried with another messageId is still one visitor.
  assert.deepEqual(rows([a, { ...a, messageId: 'retry' }]).map((r) => r[1]), [1, 0]);
  // QA: ?ff_variant=hero_copy:urgent.
  const forced = [viewed('q', 1, 'urgent', { forced: true }), ...books('q', 2)];
  const [x] = computeExperiments(forced);
  assert.equal(x.forced, 1);
  assert.equal(x.visitors, 0);
  assert.deepEqual(rows(forced).map((r) => r[1]), [0, 0]);
});

test("experiments: the store's experiments first, in order, even without visitors; unknown ones and variants follow", () => {
  assert.deepEqual(EXPERIMENTS.hero_copy.variants, ['control', 'urgent']);
  const none = computeExperiments([]);
  assert.deepEqual(none.map((x) => [x.id, x.name, x.visitors, x.variants.map((v) => [v.id, v.visitors, v.conversion])]), [['hero_copy', 'Hero copy', 0, [['control', 0, 0], ['urgent', 0, 0]]]]);
  const events = [
    viewed('a', 1, 'zeta'), // a variant not in the definition
    track('b', 1, 'Experiment Viewed', { experiment_id: 'cta_color', variation_id: 'green' }),
    track('c', 1, 'Experiment Viewed', { experiment_id: 'banner', experiment_name: 'Banner', variation_id: 'b', variation_name: 'Variant B' }),
  ];
  const xs = computeExperiments(events);
  assert.deepEqual(
    xs.map((x) => [x.id, x.name, x.variants.map((v) => [v.id, v.name, v.visitors])]),
    [
      ['hero_copy', 'Hero copy', [['control', 'control', 0], ['urgent', 'urgent', 0], ['zeta', 'zeta', 1]]],
      ['banner', 'Banner', [['b', 'Variant B', 1]]],
      ['cta_color', 'cta_color', [['green', 'green', 1]]],
    ],
  );
  assert.deepEqual(computeExperiments(events, {}).map((x) => x.id), ['banner', 'cta_color', 'hero_copy']);
});

test('experiments: malformed events never throw; unreadable ones are left out', () => {
  const base = { type: 'track', event: 'Experiment Viewed' };
  const events = [
    null,
    undefined,
    7,
    'Experiment Viewed',
    [],
    { ...base }, // no visitor
    { ...base, anonymousId: 'x' }, // no properties
    { ...base, anonymousId: 'x', properties: null },
    { ...base, anonymousId: 'x', properties: { experiment_id: 'hero_copy' } }, // no variation
    { ...base, anonymousId: 'x', properties: { experiment_id: ['hero_copy'], variation_id: 'control' } },
    { ...base, anonymousId: 'x', properties: { experiment_id: 'hero_copy', variation_id: { v: 1 } } },
    { ...base, anonymousId: 42, properties: { experiment_id: 'hero_copy', variation_id: 'control' } },
    { ...base, event: ['Experiment Viewed'], anonymousId: 'y', properties: { experiment_id: 'hero_copy', variation_id: 'control' } },
    // a readable exposure with an odd timestamp and messageId, then events the funnel cannot read
    { ...base, anonymousId: 'ok', messageId: { a: 1 }, timestamp: { t: 1 }, properties: { experiment_id: 'hero_copy', variation_id: 'urgent', forced: 'yes' } },
    { type: 'page', anonymousId: 'ok', properties: { path: 42 } }, // pathOf(e).startsWith would throw
    { type: 'page', anonymousId: 'ok', properties: null, context: { page: { path: '/services/battery' } } },
    { type: 'track', anonymousId: 'ok', event: 'price_checked', properties: 'x', timestamp: 'not a date' },
  ];
  assert.deepEqual(rows(events), [
    ['control', 0, [0, 0, 0, 0, 0], 0, 0],
    ['urgent', 1, [1, 1, 1, 0, 0], 0, 0],
  ]);
  for (const bad of [null, undefined, 7, 'x', {}, { length: 1, 0: viewed('a', 1, 'control') }]) assert.deepEqual(rows(bad), [['control', 0, [0, 0, 0, 0, 0], 0, 0], ['urgent', 0, [0, 0, 0, 0, 0], 0, 0]]);
  assert.doesNotThrow(() => computeExperiments(events, null));
  assert.doesNotThrow(() => computeExperiments(events, { hero_copy: null, other: { variants: 'ab' } }));
});

// ---------------------------------------------------------------- in the browser

let demo;
let browser;
const session = useDemoBrowser('experiments', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;

/** The home page's headlines: `[variant, hidden attribute, shown]`. */
const headlines = (p) =>
  p.$$eval('.hero [data-ff-experiment="hero_copy"]', (hs) => hs.map((h) => [h.dataset.ffVariant, h.hidden, h.getClientRects().length > 0]));

test('experiment in the store: one headline shown, the same as ff.variant(), its exposure collected, and the visitor under it in the Experiments panel', async () => {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  session.watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  assert.equal(await inspector.isVisible('#experiments-empty'), true);
  assert.deepEqual(
    await inspector.$$eval('#experiments-list tr[data-variant]', (trs) => trs.map((tr) => [tr.dataset.variant, tr.dataset.visitors])),
    [['control', '0'], ['urgent', '0']],
  );

  const { context, open } = await session.visitor();
  const home = await open('/');
  // Before consent: the control, nothing recorded.
  assert.deepEqual(await headlines(home), [['control', false, true], ['urgent', true, false]]);
  assert.equal(await home.evaluate(() => window.ff.variant('hero_copy')), 'control');
  await home.getByRole('button', { name: 'Accept all' }).click();
  const visitor = await home.evaluate(() => window.ff.anonymousId());
  const variant = await home.evaluate(() => window.ff.variant('hero_copy'));
  assert.ok(['control', 'urgent'].includes(variant), variant);
  const shown = await headlines(home);
  assert.deepEqual(shown, [['control', variant !== 'control', variant === 'control'], ['urgent', variant !== 'urgent', variant === 'urgent']], 'exactly the assigned headline');
  const mine = () => eventsOf(demo.lines()).filter((e) => e.anonymousId === visitor);
  await waitFor(() => mine().some((e) => e.event === 'Experiment Viewed'), 8000, 'the Experiment Viewed event');
  const exposures = mine().filter((e) => e.event === 'Experiment Viewed');
  assert.equal(exposures.length, 1, 'once per session');
  assert.deepEqual(exposures[0].properties, { experiment_id: 'hero_copy', experiment_name: 'Hero copy', variation_id: variant, variation_name: variant });

  // A returning page view of the session: the same headline at once, no second exposure.
  await home.reload();
  await home.waitForFunction(() => window.demoReady);
  assert.deepEqual(await headlines(home), shown);

  // Part of the booking flow.
  await home.getByRole('link', { name: 'Battery replacement' }).click();
  await home.waitForFunction(() => window.demoReady);
  await home.getByRole('button', { name: 'Check price' }).click();
  await home.getByRole('link', { name: 'Book this repair' }).click();
  await home.waitForFunction(() => window.demoReady);
  await home.getByRole('button', { name: 'Continue' }).click(); // the service chosen: booking_started
  await home.waitForURL(/\/book\/details/);
  await waitFor(() => mine().some((e) => e.event === 'booking_started') && mine().some((e) => e.event === 'price_checked'), 8000, 'price_checked and booking_started');
  const later = mine().filter((e) => e.event === 'booking_started' || (e.type === 'page' && pathOf(e) === '/services/battery'));
  for (const e of later) assert.deepEqual(e.context.experiments, { hero_copy: variant }, `context.experiments on ${e.event ?? pathOf(e)}`);
  assert.equal(mine().filter((e) => e.event === 'Experiment Viewed').length, 1, 'still one exposure');

  const other = variant === 'control' ? 'urgent' : 'control';
  const row = inspector.locator(`#experiments-list article[data-experiment="hero_copy"] tr[data-variant="${variant}"]`);
  await inspector.locator(`#experiments-list tr[data-variant="${variant}"][data-visitors="1"][data-steps="1 1 1 1 0"]`).waitFor({ timeout: 8000 });
  assert.deepEqual(await row.evaluate((tr) => ({ ...tr.dataset })), { variant, visitors: '1', steps: '1 1 1 1 0', converted: '0', conversion: '0' });
  assert.deepEqual(await row.locator('th, td').allTextContents(), [variant, '1', '1', '1', '1', '0', '0%']);
  assert.deepEqual(await inspector.$eval(`#experiments-list tr[data-variant="${other}"]`, (tr) => [tr.dataset.visitors, tr.lastElementChild.textContent]), ['0', '—']);
  assert.equal(await inspector.getAttribute('#experiments-list article[data-experiment="hero_copy"]', 'data-visitors'), '1');
  assert.equal(await inspector.isVisible('#experiments-empty'), false);
  assert.deepEqual(
    await inspector.$$eval('#experiments-list thead th', (ths) => ths.map((th) => th.textContent)),
    ['Variant', 'Visitors', 'Service', 'Price', 'Started', 'Booked', 'Conv.'],
  );
  assert.deepEqual(problems, [], 'no console errors');
  await Promise.all([context.close(), watcher.close()]);
});

test('experiment in the heat-map preview: footfall does not start, the control shows', async () => {
  const { context } = await session.visitor();
  const p = await context.newPage();
  session.watch(p);
  await p.goto(demo.origin + '/?ff_preview=1');
  await p.waitForFunction(() => window.demoPreview);
  assert.deepEqual(await headlines(p), [['control', false, true], ['urgent', true, false]]);
  assert.equal(await p.evaluate(() => typeof window.ff), 'undefined');
  assert.deepEqual(problems, [], 'no console errors');
  await context.close();
});
