// The demo inspector's web vitals panel: its computation
// (www/assets/vitals.js) on synthetic events, in Node; then the panel in
// the inspector, fed by real page views of the store with
// `autocapture: { webVitals: true }`, in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch } from './harness.mjs';
import { useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { computeVitals, p75, rate, formatMetric, METRICS, NO_PATH } from '../../www/assets/vitals.js';

let n = 0;
/** A `web_vitals` event as footfall sends it: `metrics` as measured, ratings by footfall's thresholds. */
const vitals = (path, metrics, { messageId = `v-${++n}` } = {}) => ({
  type: 'track',
  event: 'web_vitals',
  messageId,
  anonymousId: 'a',
  timestamp: '2026-11-22T12:00:00.000Z',
  properties: { ...metrics, rating: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, rate(k, v)])) },
  context: { page: { path } },
});
/** `[path, views, [[metric, p75, rating, count], ...]]` per page. */
const view = (pages) => pages.map((p) => [p.path, p.views, p.metrics.map((m) => [m.id, m.value, m.rating, m.count])]);

test('vitals: the 75th percentile by nearest rank, always a value a page view had', () => {
  assert.equal(p75([]), null);
  assert.equal(p75([420]), 420);
  assert.equal(p75([900, 100]), 900, 'of 2: the larger (1.5 rounds up to the 2nd)');
  assert.equal(p75([4, 1, 3, 2]), 3, 'of 4: the 3rd');
  assert.equal(p75([5, 1, 4, 2, 3]), 4, 'of 5: the 4th (3.75 rounds up)');
  assert.equal(p75(Array.from({ length: 100 }, (_, i) => 100 - i)), 75);
  assert.equal(p75([0.25, 0.0012, 0.1]), 0.25);
});

test("vitals: ratings by Google's thresholds, good up to the first, poor above the second", () => {
  const cases = [
    ['lcp', 2500, 'good'], ['lcp', 2501, 'needs-improvement'], ['lcp', 4000, 'needs-improvement'], ['lcp', 4001, 'poor'],
    ['inp', 200, 'good'], ['inp', 201, 'needs-improvement'], ['inp', 500, 'needs-improvement'], ['inp', 501, 'poor'],
    ['cls', 0, 'good'], ['cls', 0.1, 'good'], ['cls', 0.1001, 'needs-improvement'], ['cls', 0.25, 'needs-improvement'], ['cls', 0.2501, 'poor'],
    ['fcp', 1800, 'good'], ['fcp', 1801, 'needs-improvement'], ['fcp', 3000, 'needs-improvement'], ['fcp', 3001, 'poor'],
    ['ttfb', 800, 'good'], ['ttfb', 801, 'needs-improvement'], ['ttfb', 1800, 'needs-improvement'], ['ttfb', 1801, 'poor'],
  ];
  for (const [id, value, want] of cases) assert.equal(rate(id, value), want, `${id} ${value}`);
  assert.equal(rate('fid', 10), '', 'not a metric of the panel');
  assert.equal(rate('lcp', NaN), '');
  assert.deepEqual(METRICS.map((m) => m.id), ['lcp', 'inp', 'cls', 'fcp', 'ttfb']);
});

test('vitals: per page, the p75 of each metric over its page views, rated; most page views first', () => {
  const events = [
    vitals('/services/battery', { lcp: 1200, fcp: 800, ttfb: 90, inp: 60, cls: 0 }),
    vitals('/', { lcp: 900, fcp: 700, ttfb: 40, cls: 0.02 }),
    vitals('/services/battery', { lcp: 2600, fcp: 900, ttfb: 120, inp: 240, cls: 0.3 }),
    vitals('/services/battery', { lcp: 4200, fcp: 1900, ttfb: 100, inp: 80, cls: 0.05 }),
    vitals('/services/battery', { lcp: 1000, fcp: 600, ttfb: 2000, inp: 520, cls: 0.12 }),
    { type: 'track', event: 'page_leave', messageId: 'x-1', properties: { lcp: 99999 }, context: { page: { path: '/' } } }, // not web_vitals
    { type: 'page', event: 'web_vitals', messageId: 'x-2', properties: { lcp: 99999 }, context: { page: { path: '/' } } }, // not a track
  ];
  assert.deepEqual(view(computeVitals(events)), [
    [
      '/services/battery',
      4,
      [
        // of 4 values, the 3rd smallest
        ['lcp', 2600, 'needs-improvement', 4],
        ['inp', 240, 'needs-improvement', 4],
        ['cls', 0.12, 'needs-improvement', 4],
        ['fcp', 900, 'good', 4],
        ['ttfb', 120, 'good', 4],
      ],
    ],
    ['/', 1, [['lcp', 900, 'good', 1], ['cls', 0.02, 'good', 1], ['fcp', 700, 'good', 1], ['ttfb', 40, 'good', 1]]],
  ]);
  assert.deepEqual(computeVitals([]), []);
});

test('vitals: a metric the browser did not measure is absent, not zero; each metric counts the page views that measured it', () => {
  const events = [
    vitals('/quote', { fcp: 500, ttfb: 30 }), // WebKit: FCP and TTFB only
    vitals('/quote', { lcp: 700, fcp: 650, ttfb: 50, inp: 120 }), // Firefox: no CLS
    vitals('/quote', { lcp: 900, fcp: 600, ttfb: 20 }), // no interaction: no INP
    vitals('/book', { cls: 0 }), // a page view back from the back/forward cache that measured only CLS
  ];
  assert.deepEqual(view(computeVitals(events)), [
    ['/quote', 3, [['lcp', 900, 'good', 2], ['inp', 120, 'good', 1], ['fcp', 650, 'good', 3], ['ttfb', 50, 'good', 3]]],
    ['/book', 1, [['cls', 0, 'good', 1]]],
  ]);
});

test('vitals: an event received again (same messageId) counts once', () => {
  const a = vitals('/', { lcp: 1000 }, { messageId: 'same' });
  const b = vitals('/', { lcp: 5000 });
  assert.deepEqual(view(computeVitals([a, { ...a }, b, { ...b }])), [['/', 2, [['lcp', 5000, 'poor', 2]]]]);
  assert.deepEqual(view(computeVitals([a, { ...a }, { ...a }, a])), [['/', 1, [['lcp', 1000, 'good', 1]]]]);
});

test('vitals: malformed events never throw; unreadable values are left out', () => {
  const base = { type: 'track', event: 'web_vitals' };
  const events = [
    null,
    undefined,
    7,
    'web_vitals',
    [],
    { ...base }, // no properties, no context: a page view of an unknown page that measured nothing
    { ...base, properties: null, context: 'x' },
    { ...base, properties: { lcp: '1200', fcp: -5, ttfb: NaN, inp: Infinity, cls: null }, context: { page: null } },
    { ...base, properties: { lcp: [1], cls: { v: 1 }, rating: 'poor' }, context: { page: { path: 42 } } },
    { ...base, messageId: { a: 1 }, properties: { lcp: 3000, rating: { lcp: 'good' } }, context: { page: { path: '  /q  ' } } },
    { ...base, event: ['web_vitals'], properties: { lcp: 1 } },
    { ...base, event: 'toString', properties: { lcp: 1 } },
  ];
  assert.deepEqual(view(computeVitals(events)), [
    [NO_PATH, 3, []],
    ['42', 1, []],
    ['/q', 1, [['lcp', 3000, 'needs-improvement', 1]]], // rated by the panel, whatever the event said
  ]);
  assert.deepEqual(computeVitals(null), []);
  assert.deepEqual(computeVitals({ length: 1, 0: vitals('/', { lcp: 1 }) }), []);
});

test('vitals: values for display', () => {
  assert.equal(formatMetric('lcp', 344), '344 ms');
  assert.equal(formatMetric('inp', 999.6), '1000 ms');
  assert.equal(formatMetric('lcp', 2345), '2.35 s');
  assert.equal(formatMetric('cls', 0.6598), '0.6598');
  assert.equal(formatMetric('cls', 0.1), '0.1');
  assert.equal(formatMetric('cls', 0), '0');
});

// ---------------------------------------------------------------- in the browser

let demo;
let browser;
const session = useDemoBrowser('vitals', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;

async function openInspector() {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  session.watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  return { watcher, inspector };
}

test('vitals panel: synthetic events; page text rendered as text; malformed ones break nothing', async () => {
  const { watcher, inspector } = await openInspector();
  const html = '/<img src=x onerror=alert(1)>';
  const batch = [
    vitals('/a', { lcp: 5000, fcp: 100, ttfb: 900, cls: 0.3 }, { messageId: 's-1' }),
    vitals('/a', { lcp: 1000, fcp: 100, ttfb: 100, cls: 0 }, { messageId: 's-2' }),
    vitals(html, { inp: 150 }, { messageId: 's-3' }),
    { type: 'track', event: 'web_vitals', messageId: 's-4', properties: null, context: null },
    { type: 'track', event: 'web_vitals', messageId: 's-5', properties: { lcp: 'slow', cls: -1 }, context: { page: { path: '/a' } } },
  ];
  const post = (events) => fetch(demo.origin + '/collect', { method: 'POST', body: JSON.stringify({ batch: events, sentAt: '2026-11-22T12:00:00.100Z' }) });
  assert.equal((await post(batch)).status, 200);
  assert.equal((await post(batch.slice(0, 2))).status, 200); // a retried batch: the same messageIds
  await inspector.locator('#vitals-list article').nth(2).waitFor({ timeout: 5000 });
  const cards = await inspector.$$eval('#vitals-list article', (as) =>
    as.map((a) => [a.querySelector('h3').textContent, a.dataset.views, [...a.querySelectorAll('.metric')].map((m) => `${m.dataset.metric} ${m.querySelector('.value').textContent} ${m.dataset.rating}`)]),
  );
  assert.deepEqual(cards, [
    ['/a', '3', ['lcp 5.00 s poor', 'cls 0.3 poor', 'fcp 100 ms good', 'ttfb 900 ms needs-improvement']],
    [html, '1', ['inp 150 ms good']],
    [NO_PATH, '1', []],
  ]);
  assert.equal(await inspector.locator('#vitals img').count(), 0, 'text, never markup');
  assert.equal(await inspector.textContent('#total-events'), '7', 'the rest of the inspector still renders');
  await inspector.getByRole('button', { name: 'Clear' }).click();
  await inspector.locator('#vitals-empty').waitFor({ timeout: 5000 });
  assert.equal(await inspector.locator('#vitals-list article').count(), 0);
  assert.deepEqual(problems, [], 'no console errors');
  await watcher.close();
});

test('vitals: two page views of a service page and one of the home page; the Vitals panel shows their p75, rated', async () => {
  const { watcher, inspector } = await openInspector();
  assert.equal(await inspector.isVisible('#vitals-empty'), true);
  const { context, open } = await session.visitor();
  const page = await open('/services/battery');
  await page.getByRole('button', { name: 'Accept all' }).click();
  const visitor = await page.evaluate(() => window.ff.anonymousId());
  const sent = () => eventsOf(demo.lines()).filter((e) => e.event === 'web_vitals' && e.anonymousId === visitor);
  await page.getByRole('button', { name: 'Check price' }).click(); // an interaction: INP
  // Each page view sends its vitals when it ends: here, by going to the next page.
  await page.goto(demo.origin + '/');
  await page.waitForFunction(() => window.demoReady);
  await page.goto(demo.origin + '/services/battery');
  await page.waitForFunction(() => window.demoReady);
  await page.getByRole('button', { name: 'Check price' }).click();
  await page.goto(demo.origin + '/quote');
  await page.waitForFunction(() => window.demoReady);
  await waitFor(() => sent().filter((e) => e.context?.page?.path === '/services/battery').length === 2 && sent().some((e) => e.context?.page?.path === '/'), 8000, 'the web_vitals of three page views');

  const events = sent();
  for (const e of events) {
    for (const id of ['lcp', 'fcp', 'ttfb']) assert.ok(Number.isInteger(e.properties[id]), `Chromium measures ${id}: ${JSON.stringify(e.properties)}`);
    for (const [id, rating] of Object.entries(e.properties.rating)) assert.equal(rate(id, e.properties[id]), rating, `the panel's thresholds are footfall's (${id})`);
  }

  for (const [path, views] of [['/services/battery', 2], ['/', 1]]) {
    const card = inspector.locator(`#vitals-list article[data-path="${path}"]`);
    await inspector.locator(`#vitals-list article[data-path="${path}"][data-views="${views}"]`).waitFor({ timeout: 5000 });
    const mine = events.filter((e) => e.context.page.path === path);
    const expected = METRICS.filter((m) => mine.some((e) => typeof e.properties[m.id] === 'number')).map((m) => {
      const values = mine.map((e) => e.properties[m.id]).filter((v) => typeof v === 'number');
      const value = values.length === 1 ? values[0] : Math.max(...values); // p75 of 1 or 2 values: the largest
      return [m.id, String(value), rate(m.id, value), `metric ${rate(m.id, value)}`, formatMetric(m.id, value)];
    });
    const shown = await card.locator('.metric').evaluateAll((ms) => ms.map((m) => [m.dataset.metric, m.dataset.value, m.dataset.rating, m.className, m.querySelector('.value').textContent]));
    assert.deepEqual(shown, expected, path);
    assert.ok(shown.length >= 3, 'LCP, FCP and TTFB at least');
    assert.equal(await card.locator('.views').textContent(), `${views} page view${views === 1 ? '' : 's'}`);
    // The colour follows the rating.
    const colors = await card.locator('.metric dd').evaluateAll((dds) => dds.map((dd) => getComputedStyle(dd).color));
    const palette = { good: 'rgb(74, 222, 128)', 'needs-improvement': 'rgb(251, 191, 36)', poor: 'rgb(251, 113, 133)' };
    assert.deepEqual(colors, expected.map(([, , rating]) => palette[rating]));
  }
  assert.equal(await inspector.isVisible('#vitals-empty'), false);
  assert.deepEqual(problems, [], 'no console errors');
  await Promise.all([context.close(), watcher.close()]);
});
