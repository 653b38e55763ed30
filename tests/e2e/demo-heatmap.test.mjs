// The demo inspector's heat-map view: its computation (www/assets/heatmap.js)
// on synthetic events, in Node; then the view in the inspector, fed by real
// clicks on a store page with `autocapture: { heatmap: true }`: a preview of
// the page at the visitor's width with a dot over each click, which itself
// sends nothing, in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, root, sleep } from './harness.mjs';
import { useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { computeHeatmap, previewSrc, KINDS, NO_PATH, PREVIEW_PARAM } from '../../www/assets/heatmap.js';

const at = (s) => new Date(Date.UTC(2026, 10, 22, 12, 0, s)).toISOString();
let n = 0;
/** A `heatmap` event as footfall sends it. */
const heatmap = (s, path, points, { viewport = [1280, 800], messageId = `h-${++n}`, contextPath = path } = {}) => ({
  type: 'track',
  event: 'heatmap',
  messageId,
  anonymousId: 'a',
  timestamp: at(s),
  properties: { path, viewport, points },
  context: { page: { path: contextPath } },
});
/** `[path, total, counts, viewport, events]` per page. */
const view = (pages) => pages.map((p) => [p.path, p.total, KINDS.map((k) => p.counts[k]), p.viewport, p.events]);

test('heatmap: per page, every point of its events in arrival order, counted by kind; most points first', () => {
  const events = [
    heatmap(1, '/', [[0.5, 100, 'click']]),
    heatmap(2, '/services/battery', [[0.1, 200, 'click'], [0.2, 1300, 'dead']]),
    heatmap(3, '/services/battery', [[0.3, 400, 'rage'], [0.3, 401, 'rage'], [0.301, 402, 'rage']]),
    heatmap(4, '/', [[0.9, 50.5, 'click']]),
    { type: 'track', event: 'rage_click', messageId: 'x-1', properties: { path: '/', points: [[0.5, 1, 'rage']] } }, // not a heatmap event
    { type: 'page', event: 'heatmap', messageId: 'x-2', properties: { path: '/', points: [[0.5, 1, 'click']] } }, // not a track
  ];
  const pages = computeHeatmap(events);
  assert.deepEqual(view(pages), [
    ['/services/battery', 5, [1, 3, 1], [1280, 800], 2],
    ['/', 2, [2, 0, 0], [1280, 800], 2],
  ]);
  assert.deepEqual(pages[0].points, [[0.1, 200, 'click'], [0.2, 1300, 'dead'], [0.3, 400, 'rage'], [0.3, 401, 'rage'], [0.301, 402, 'rage']]);
  assert.deepEqual(pages[1].points, [[0.5, 100, 'click'], [0.9, 50.5, 'click']]);
  // The page is properties.path, else context.page.path.
  const noProperty = { ...heatmap(5, '/quote', [[0.5, 10, 'click']]), properties: { viewport: [800, 600], points: [[0.5, 10, 'click']] } };
  assert.deepEqual(view(computeHeatmap([noProperty])), [['/quote', 1, [1, 0, 0], [800, 600], 1]]);
  assert.deepEqual(computeHeatmap([]), []);
});

test("heatmap: a page's viewport is the latest one (by timestamp, arrival order on ties); one without a readable viewport keeps the last", () => {
  const pages = (events) => computeHeatmap(events).map((p) => p.viewport);
  assert.deepEqual(pages([heatmap(1, '/', [], { viewport: [1280, 800] }), heatmap(2, '/', [], { viewport: [390, 844] })]), [[390, 844]]);
  assert.deepEqual(pages([heatmap(2, '/', [], { viewport: [390, 844] }), heatmap(1, '/', [], { viewport: [1280, 800] })]), [[390, 844]], 'in timestamp order, whatever the arrival order');
  assert.deepEqual(pages([heatmap(1, '/', [], { viewport: [1280, 800] }), heatmap(1, '/', [], { viewport: [1024, 768] })]), [[1024, 768]], 'a tie: the later arrival');
  assert.deepEqual(pages([heatmap(1, '/', [], { viewport: [1280, 800] }), heatmap(2, '/', [], { viewport: 'wide' }), heatmap(3, '/', [], { viewport: [0, 800] })]), [[1280, 800]]);
  assert.deepEqual(pages([heatmap(1, '/', [], { viewport: [20000, 800] })]), [null], 'no readable viewport: null (the inspector assumes one)');
});

test('heatmap: an event received again (same messageId) counts once', () => {
  const e = heatmap(1, '/', [[0.5, 100, 'click'], [0.6, 120, 'dead']], { messageId: 'same' });
  const pages = computeHeatmap([e, { ...e }, e]);
  assert.deepEqual(view(pages), [['/', 2, [1, 0, 1], [1280, 800], 1]]);
});

test('heatmap: malformed events and points never throw; unreadable points are left out and counted', () => {
  const base = { type: 'track', event: 'heatmap' };
  const events = [
    null,
    undefined,
    7,
    'heatmap',
    [],
    { ...base }, // no properties: an event of an unknown page
    { ...base, properties: null, context: 'x' },
    {
      ...base,
      properties: {
        path: '/p',
        viewport: [1280, 800],
        points: [
          [0.5, 10, 'click'],
          [1.2, 10, 'click'], // x past the width
          [-0.1, 10, 'click'],
          [0.5, -1, 'click'],
          [0.5, 10, 'hover'], // no such kind
          [0.5, 10], // no kind
          ['0.5', 10, 'click'],
          [0.5, NaN, 'dead'],
          null,
          'click',
          { x: 0.5, y: 10, kind: 'click' },
          [0, 0, 'dead'], // the top left corner
          [1, 5000, 'rage'], // the right edge, far down
        ],
      },
    },
    { ...base, properties: { path: '/p', points: 'many', viewport: null } },
    { ...base, messageId: { a: 1 }, properties: { path: ['/p'], points: [[0.5, 1, 'click']] }, context: { page: { path: '/from-context' } } },
    { ...base, event: ['heatmap'], properties: { path: '/p', points: [[0.5, 1, 'click']] } },
    { ...base, event: 'toString', properties: { path: '/p', points: [[0.5, 1, 'click']] } },
  ];
  const pages = computeHeatmap(events);
  assert.deepEqual(
    pages.map((p) => [p.path, p.total, KINDS.map((k) => p.counts[k]), p.viewport, p.events, p.ignored]),
    [
      ['/p', 3, [1, 1, 1], [1280, 800], 2, 10],
      ['/from-context', 1, [1, 0, 0], null, 1, 0],
      [NO_PATH, 0, [0, 0, 0], null, 2, 0],
    ],
  );
  assert.deepEqual(computeHeatmap(null), []);
  assert.deepEqual(computeHeatmap({ length: 1, 0: heatmap(1, '/', [[0.5, 1, 'click']]) }), []);
});

test("heatmap: the preview's address is a path of the inspector's origin with ff_preview=1, never another site's", () => {
  const origin = 'http://127.0.0.1:8080';
  assert.equal(previewSrc('/services/battery', origin), '/services/battery?ff_preview=1');
  assert.equal(previewSrc('/', origin), '/?ff_preview=1');
  assert.equal(previewSrc('/book?service=battery&model=2#top', origin), '/book?service=battery&model=2&ff_preview=1');
  assert.equal(previewSrc('/quote?ff_preview=0', origin), '/quote?ff_preview=1');
  assert.equal(previewSrc('/<img src=x>', origin), '/%3Cimg%20src=x%3E?ff_preview=1');
  for (const path of ['//evil.example/x', '/\\evil.example/x', 'https://evil.example/', 'javascript:alert(1)', 'services/battery', '', ' /', NO_PATH, 42, null, undefined, ['/']]) {
    assert.equal(previewSrc(path, origin), '', String(path));
  }
  // The store reads the same query to know it is a preview.
  const store = readFileSync(join(root, 'www', 'assets', 'store.js'), 'utf8');
  assert.ok(store.includes(`.get('${PREVIEW_PARAM}') === '1'`), 'store.js reads ff_preview');
});

// ---------------------------------------------------------------- in the browser

let demo;
let browser;
const session = useDemoBrowser('heatmap', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;

/** The inspector in a new page of `context`; `requests` (when given) receives the URL of every request of the page and its frames. */
async function openInspector(context, requests) {
  const inspector = await context.newPage();
  await inspector.setViewportSize({ width: 1280, height: 900 });
  session.watch(inspector);
  inspector.on('request', (r) => requests?.push(r.url()));
  await inspector.goto(demo.origin + '/inspector');
  await inspector.locator('#live.ok').waitFor({ timeout: 5000 });
  return inspector;
}

/** Clicks the middle of `locator` with the mouse; returns the point footfall should record: `[x fraction, page y]`. */
async function clickOn(page, locator, { times = 1 } = {}) {
  const box = await locator.boundingBox();
  const x = Math.round(box.x + box.width / 2);
  const y = Math.round(box.y + box.height / 2);
  const { width, scrollY } = await page.evaluate(() => ({ width: innerWidth, scrollY }));
  for (let i = 0; i < times; i++) await page.mouse.click(x, y);
  return [Math.round((x / width) * 1000) / 1000, y + scrollY];
}

test('heatmap panel: synthetic events; only paths of this origin are offered, as text; malformed ones break nothing', async () => {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const watcher = await browser.newContext();
  const inspector = await openInspector(watcher);
  assert.equal(await inspector.isVisible('#heatmap-empty'), true);
  assert.equal(await inspector.isVisible('#heatmap-view'), false);
  const html = '/<img src=x onerror=alert(1)>';
  const batch = [
    heatmap(1, '/quote', [[0.25, 100, 'click'], [0.5, 200, 'dead'], [2, 1, 'click']], { viewport: [1024, 700], messageId: 's-1' }),
    heatmap(2, '/quote', [[0.75, 300, 'rage']], { viewport: [1024, 700], messageId: 's-2' }),
    heatmap(3, '/book', [[0.5, 10, 'click'], [0.5, 40, 'click']], { viewport: 'wide', messageId: 's-3' }),
    heatmap(4, html, [[0.5, 10, 'click']], { messageId: 's-4' }), // offered as text (not opened here: the server has no such page)
    heatmap(5, '//evil.example/', [[0.5, 10, 'click'], [0.5, 20, 'click']], { messageId: 's-5' }), // never an iframe of another site
    { type: 'track', event: 'heatmap', messageId: 's-6', properties: null, context: null },
  ];
  const post = (events) => fetch(demo.origin + '/collect', { method: 'POST', body: JSON.stringify({ batch: events, sentAt: at(5) }) });
  assert.equal((await post(batch)).status, 200);
  assert.equal((await post(batch.slice(0, 2))).status, 200); // a retried batch: the same messageIds
  await inspector.locator('#heatmap-stage[data-state="ready"]').waitFor({ timeout: 5000 });
  const options = await inspector.$$eval('#heatmap-path option', (os) => os.map((o) => [o.value, o.textContent]));
  assert.deepEqual(options, [['/quote', '/quote · 3 points'], ['/book', '/book · 2 points'], [html, `${html} · 1 point`]]);
  assert.equal(await inspector.inputValue('#heatmap-path'), '/quote', 'the page with the most points first');
  const legend = await inspector.$$eval('#heatmap-legend li', (lis) => lis.map((li) => [li.dataset.kind, li.dataset.count]));
  assert.deepEqual(legend, [['click', '1'], ['rage', '1'], ['dead', '1']]);
  assert.equal(await inspector.textContent('#heatmap-size'), '1024 × 700 px');
  assert.equal(await inspector.locator('#heatmap-dots .dot').count(), 3);
  const src = async () => {
    const url = new URL(await inspector.$eval('#heatmap-frame', (f) => f.src));
    return url.pathname + url.search;
  };
  assert.equal(await src(), '/quote?ff_preview=1');
  assert.equal(await inspector.$eval('#heatmap-frame', (f) => f.style.width), '1024px');
  await inspector.selectOption('#heatmap-path', '/book');
  await inspector.locator('#heatmap-dots .dot').nth(2).waitFor({ state: 'detached', timeout: 5000 });
  assert.equal(await inspector.locator('#heatmap-dots .dot').count(), 2);
  assert.equal(await src(), '/book?ff_preview=1');
  assert.equal(await inspector.textContent('#heatmap-size'), '1280 × 800 px (assumed)', 'no readable viewport');
  await inspector.locator('#heatmap-stage[data-state="ready"]').waitFor({ timeout: 5000 });
  assert.equal(await inspector.locator('#heatmap img').count(), 0, 'text, never markup');
  assert.equal(await inspector.textContent('#total-events'), '8', 'the rest of the inspector still renders');
  await inspector.getByRole('button', { name: 'Clear' }).click();
  await inspector.locator('#heatmap-empty').waitFor({ timeout: 5000 });
  assert.deepEqual(problems, [], 'no console errors');
  await watcher.close();
});

test('heatmap: clicks on a service page; the heat-map view shows the page at the visitor width with a dot over each click, and the preview sends nothing', async () => {
  assert.ok((await fetch(demo.origin + '/api/clear', { method: 'POST' })).ok);
  const { context, open } = await session.visitor({ width: 1280, height: 800 });
  const page = await open('/services/battery');
  const clicks = [];
  // Consent first: its click is a point too (the banner is not in the preview).
  clicks.push({ kind: 'click', point: await clickOn(page, page.getByRole('button', { name: 'Accept all' })) });
  await page.waitForFunction(() => !document.querySelector('.toast.show')); // the toast going away would be a change after a click
  const visitor = await page.evaluate(() => window.ff.anonymousId());
  // `target(root)`: the element clicked, in the page and in the preview.
  const price = (root) => root.locator('#check-price');
  const lead = (root) => root.locator('.lead');
  const counter = (root) => root.getByRole('heading', { name: 'What happens at the counter' });
  clicks.push({ kind: 'click', target: price, point: await clickOn(page, price(page)) });
  await sleep(1200);
  clicks.push({ kind: 'dead', target: lead, point: await clickOn(page, lead(page)) });
  await sleep(1200); // nothing changed in the second after it: dead
  await counter(page).scrollIntoViewIfNeeded();
  assert.ok((await page.evaluate(() => scrollY)) > 300, 'scrolled: y is the page y');
  const rage = await clickOn(page, counter(page), { times: 3 });
  for (let i = 0; i < 3; i++) clicks.push({ kind: 'rage', target: counter, point: rage });
  await sleep(1200);
  // Leaving the page sends what is pending.
  await page.goto(demo.origin + '/');
  await page.waitForFunction(() => window.demoReady);
  const sent = () => eventsOf(demo.lines()).filter((e) => e.event === 'heatmap' && e.anonymousId === visitor && e.properties?.path === '/services/battery');
  await waitFor(() => sent().flatMap((e) => e.properties.points).length >= clicks.length, 8000, `${clicks.length} points`);
  const points = sent().flatMap((e) => e.properties.points);
  const sorted = (list) => [...list].sort((a, b) => a[1] - b[1] || a[0] - b[0] || a[2].localeCompare(b[2]));
  assert.deepEqual(sorted(points), sorted(clicks.map((c) => [...c.point, c.kind])), 'footfall recorded every click, where it was');
  assert.deepEqual(sent().at(-1).properties.viewport, [1280, 800]);
  await page.close();

  // The inspector, in the same browser (consent granted: a preview running footfall would send).
  const requests = [];
  const inspector = await openInspector(context, requests);
  await inspector.selectOption('#heatmap-path', '/services/battery');
  const frame = inspector.locator('#heatmap-frame');
  await inspector.locator('#heatmap-stage[data-state="ready"]').waitFor({ timeout: 5000 });
  const preview = inspector.frameLocator('#heatmap-frame');
  await preview.locator('#check-price').waitFor();
  await sleep(700); // the second measure, once late layout settled

  // The iframe is the page at the recorded width, as tall as its document.
  const inside = await inspector.$eval('#heatmap-frame', (f) => {
    const w = f.contentWindow;
    return { path: w.location.pathname, search: w.location.search, width: w.innerWidth, height: w.innerHeight, scrollHeight: w.document.documentElement.scrollHeight, preview: w.demoPreview, ff: typeof w.ff, ready: w.demoReady ?? null, banner: w.document.getElementById('consent').hidden, nested: w.document.querySelector('#inspector-panel iframe')?.getAttribute('src') ?? null };
  });
  assert.deepEqual(inside, { path: '/services/battery', search: '?ff_preview=1', width: 1280, height: inside.scrollHeight, scrollHeight: inside.scrollHeight, preview: true, ff: 'undefined', ready: null, banner: true, nested: null });
  assert.ok(inside.height > 800, `the whole page (${inside.height} px)`);
  const scale = Number(await inspector.getAttribute('#heatmap-stage', 'data-scale'));
  const box = await frame.boundingBox();
  assert.ok(scale > 0.3 && scale < 1, `scaled down to the panel (${scale})`);
  assert.ok(Math.abs(box.width - 1280 * scale) < 1 && Math.abs(box.height - inside.height * scale) < 1, JSON.stringify(box));

  // The legend counts each kind; a dot per click, coloured by its kind.
  const legend = await inspector.$$eval('#heatmap-legend li', (lis) => lis.map((li) => [li.dataset.kind, Number(li.dataset.count)]));
  assert.deepEqual(legend, KINDS.map((k) => [k, clicks.filter((c) => c.kind === k).length]));
  const dots = await inspector.$$eval('#heatmap-dots .dot', (ds) =>
    ds.map((d) => {
      const r = d.getBoundingClientRect();
      return { kind: d.dataset.kind, x: r.left + r.width / 2, y: r.top + r.height / 2, color: getComputedStyle(d).borderTopColor };
    }),
  );
  assert.equal(dots.length, clicks.length, 'N dots for N clicks');
  assert.deepEqual(
    Object.fromEntries(dots.map((d) => [d.kind, d.color])),
    { click: 'rgb(56, 189, 248)', dead: 'rgb(251, 191, 36)', rage: 'rgb(251, 113, 133)' },
  );
  // Each click: a dot of its kind where the point falls on the scaled page, and
  // over the middle of the element clicked as the preview shows it.
  const left = [...dots];
  for (const c of clicks) {
    const want = { x: box.x + c.point[0] * 1280 * scale, y: box.y + c.point[1] * scale };
    const i = left.findIndex((d) => d.kind === c.kind && Math.hypot(d.x - want.x, d.y - want.y) < 1.5);
    assert.ok(i >= 0, `a ${c.kind} dot at ${JSON.stringify(want)}: ${JSON.stringify(left)}`);
    const [dot] = left.splice(i, 1);
    if (!c.target) continue;
    const r = await c.target(preview).evaluate((el) => el.getBoundingClientRect().toJSON());
    const middle = { x: box.x + (r.left + r.width / 2) * scale, y: box.y + (r.top + r.height / 2) * scale };
    assert.ok(Math.hypot(dot.x - middle.x, dot.y - middle.y) < 3, `${c.kind}: the dot ${JSON.stringify(dot)} over the middle of the element clicked ${JSON.stringify(middle)}`);
  }

  // The preview sent nothing and loaded no footfall build.
  await sleep(2500); // more than the flush interval (1 s)
  assert.ok(requests.some((u) => u.includes('/services/battery?ff_preview=1')), 'the preview was loaded');
  assert.deepEqual(requests.filter((u) => /\/collect|\.wasm/.test(u)), [], 'no batch, no wasm');
  assert.ok(!eventsOf(demo.lines()).some((e) => JSON.stringify(e.context?.page ?? {}).includes(PREVIEW_PARAM)), 'no event from a preview');
  assert.deepEqual(problems, [], 'no console errors');
  await context.close();
});
