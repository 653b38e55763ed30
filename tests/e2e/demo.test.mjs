// The demo (`npm run demo`): its server and collector, the store's funnel in
// a real browser, the inspector, a screenshot, and accessibility basics.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launch, root, sleep } from './harness.mjs';
import { startDemoProcess, useDemoBrowser, eventsOf, waitFor } from './demo-process.mjs';
import { pathOf } from '../../www/assets/funnel.js';

const UTM = '?utm_source=newsletter&utm_medium=email&utm_campaign=spring';
const dir = mkdtempSync(join(tmpdir(), 'footfall-demo-'));

/** `node www/server.mjs` as `npm run demo` runs it, its JSON Lines file in a temporary directory. */
const startDemo = (name) => startDemoProcess(join(dir, `${name}.jsonl`));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the demo server prints its URLs, serves the store, streams merged batches over SSE, writes JSON Lines, and stops on Ctrl-C', async () => {
  const demo = await startDemo('server');
  const controller = new AbortController();
  try {
    assert.match(demo.output(), /try-it link:\s+http:\/\/127\.0\.0\.1:\d+\/\?utm_source=newsletter&utm_medium=email&utm_campaign=spring/);
    assert.match(demo.output(), /inspector:\s+http:\/\/127\.0\.0\.1:\d+\/inspector/);
    const status = async (path) => (await fetch(demo.origin + path)).status;
    for (const path of ['/', '/services/iphone-screen', '/services/data-recovery', '/quote', '/book', '/book/details', '/book/confirm', '/inspector', '/assets/store.js', '/assets/funnel.js', '/dist/footfall.mjs', '/dist/footfall.signals-attribution.wasm']) {
      assert.equal(await status(path), 200, path);
    }
    for (const path of ['/services/toaster', '/book/elsewhere', '/server.mjs', '/assets/../server.mjs', '/assets/%2e%2e/server.mjs', '/dist/../package.json', '/%E0%A4%A']) {
      assert.equal(await status(path), 404, path);
    }
    assert.equal((await fetch(demo.origin + '/dist/footfall.signals-attribution.wasm')).headers.get('content-type'), 'application/wasm');

    // An inspector's stream: hello first, then each batch as it arrives.
    const stream = await fetch(demo.origin + '/events', { signal: controller.signal });
    assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const reader = stream.body.getReader();
    let text = '';
    const readUntil = async (pattern) => {
      const end = Date.now() + 5000;
      while (!pattern.test(text)) {
        if (Date.now() > end) throw new Error(`stream never matched ${pattern}: ${text}`);
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    };
    await readUntil(/event: hello/);
    const body = {
      batch: [{ type: 'track', event: 'compact_one', messageId: 'm-1', anonymousId: 'a', timestamp: '2026-11-22T12:00:00.000Z', properties: { n: 1 }, context: { session: { id: 's' } } }],
      context: { page: { path: '/x' }, library: { name: 'footfall' } },
      sentAt: '2026-11-22T12:00:00.100Z',
    };
    const raw = JSON.stringify(body);
    const posted = await fetch(demo.origin + '/collect', { method: 'POST', body: raw });
    assert.equal(posted.status, 200);
    await fetch(demo.origin + '/collect', { method: 'POST', body: raw }); // the same messageId again
    await readUntil(/event: batch\ndata: .*\n\n[^]*event: batch\ndata: .*\n\n/);
    const batches = [...text.matchAll(/event: batch\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]));
    assert.equal(batches[0].via, 'fetch');
    assert.equal(batches[0].bytes, Buffer.byteLength(raw));
    assert.equal(batches[0].compact, true);
    assert.deepEqual(batches[0].events[0].context, { page: { path: '/x' }, library: { name: 'footfall' }, session: { id: 's' } }, 'batch context merged');
    assert.deepEqual(batches[0].duplicates, []);
    assert.deepEqual(batches[1].duplicates, ['m-1'], 'a repeated messageId is reported');

    await waitFor(() => demo.lines().length >= 2, 3000, 'two lines in the file');
    const lines = demo.lines();
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[0].body, body, 'the JSON Lines file keeps the body as received');
    assert.equal(lines[0].via, 'fetch');
    assert.equal(lines[0].bytes, Buffer.byteLength(raw));
    assert.match(lines[0].receivedAt, /^\d{4}-\d\d-\d\dT/);
    assert.match(demo.output(), /fetch\s+\d+ bytes\s+compact_one/);

    assert.equal((await fetch(demo.origin + '/collect', { method: 'POST', body: 'not json' })).status, 200);
    await waitFor(() => demo.lines().length >= 3, 3000, 'unparseable bodies are kept too');

    // footfall's `compression: 'gzip'`: the body is gunzipped, both sizes kept.
    const plain = JSON.stringify({ batch: [{ ...body.batch[0], messageId: 'm-2' }], sentAt: body.sentAt });
    const gz = gzipSync(plain);
    assert.equal((await fetch(demo.origin + '/collect?compression=gzip', { method: 'POST', body: gz })).status, 200);
    await waitFor(() => demo.lines().length >= 4, 3000, 'the gzipped batch in the file');
    const zipped = demo.lines().at(-1);
    assert.deepEqual([zipped.encoding, zipped.bytes, zipped.jsonBytes], ['gzip', gz.length, Buffer.byteLength(plain)]);
    assert.equal(zipped.body.batch[0].messageId, 'm-2');
  } catch (e) {
    await demo.stop();
    throw e;
  }
  const t0 = Date.now();
  const { code, signal } = await demo.stop();
  controller.abort();
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, `Ctrl-C (SIGINT) exits with 0:\n${demo.output()}`);
  assert.ok(Date.now() - t0 < 3000, 'stops promptly, with an inspector connected');
  assert.match(demo.output(), /footfall demo stopped: 3 batches, 3 events this run/);
});

// The browser tests share one demo server and one browser.
let demo;
let browser;
const session = useDemoBrowser('browser', { before, after, launch }, (s) => ([demo, browser] = [s.demo, s.browser]));
const { problems } = session;
const watch = (page) => session.watch(page);
const visitor = (viewport) => session.visitor(viewport);
const waitReady = (page) => page.waitForFunction(() => window.demoReady);

test('funnel run: two visitors through the store; the inspector shows their events, counters, the funnel and the last batch', async () => {
  // Visitor A: arrives from the newsletter, accepts, goes through the whole funnel.
  const a = await visitor({ width: 1280, height: 900 });
  const page = await a.open('/' + UTM);
  const banner = page.getByRole('dialog', { name: 'Your privacy, your choice' });
  await banner.waitFor();
  await sleep(1500);
  assert.equal(demo.lines().length, 0, 'nothing is sent before consent');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.'))), [], 'nothing stored before consent');
  await banner.getByRole('button', { name: 'Accept all' }).click();
  assert.equal(await banner.isVisible(), false);
  await waitFor(() => eventsOf(demo.lines()).some((e) => e.type === 'page'), 5000, 'the page view that waited for consent');

  await page.getByRole('link', { name: 'iPhone screen replacement' }).click();
  await waitReady(page);
  // The service page view delivered first, so the click below is alone in the queue.
  await waitFor(() => eventsOf(demo.lines()).some((e) => e.type === 'page' && pathOf(e) === '/services/iphone-screen'), 5000, 'the service page view');
  await page.selectOption('#model', { label: 'iPhone 13' });
  await page.getByRole('button', { name: 'Check price' }).click();
  assert.match(await page.locator('#price-result').textContent(), /€179/);
  await page.getByRole('link', { name: 'Book this repair' }).click(); // at once: price_checked leaves in the unload beacon
  await waitReady(page);
  assert.equal(await page.isChecked('#s-iphone-screen'), true, 'the service comes preselected');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/book\/details/);
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.equal(await page.getAttribute('#d-name', 'aria-invalid'), 'true', 'validation before the next step');
  await page.selectOption('#d-day', { index: 2 });
  await page.getByLabel('Name', { exact: true }).fill('Ada');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL(/\/book\/confirm/);
  await page.getByRole('button', { name: 'Confirm booking' }).click();
  await page.getByRole('heading', { name: /Booked/ }).waitFor();
  // The GA4 ecommerce pushes, as a store using Google Tag Manager makes them,
  // each after clearing the previous ecommerce object.
  const reference = await page.textContent('.success strong');
  assert.match(reference, /^FW-[A-Z2-9]{6}$/);
  const item = { item_id: 'iphone_screen', item_name: 'iPhone screen replacement', item_category: 'standard', item_variant: 'iPhone 13', price: 179, quantity: 1 };
  assert.deepEqual(await page.evaluate(() => window.dataLayer.filter((d) => 'ecommerce' in d)), [
    { ecommerce: null },
    { event: 'begin_checkout', ecommerce: { value: 179, currency: 'EUR', items: [item] } },
    { ecommerce: null },
    { event: 'purchase', ecommerce: { transaction_id: reference, value: 179, currency: 'EUR', items: [item] } },
  ]);
  await page.evaluate(() => window.ff.flush());

  // Visitor B: lands, accepts, views a service and leaves; visitor C rejects.
  const b = await visitor();
  const pageB = await b.open('/');
  await pageB.getByRole('button', { name: 'Accept all' }).click();
  // Scrolling the home page to the bottom.
  for (let y = 0; y <= 6000; y += 500) {
    await pageB.mouse.wheel(0, 500);
    await sleep(30);
  }
  await pageB.getByRole('link', { name: 'Battery replacement' }).click();
  await waitReady(pageB);
  // The broken chat button, clicked three times fast.
  const chat = pageB.getByRole('button', { name: 'Chat with a technician' });
  for (let i = 0; i < 3; i++) await chat.click();
  // It also throws on purpose (demo-errors.test.mjs): three expected page errors.
  const chatError = (p) => /reading 'open'|FixwellChat/.test(p);
  await waitFor(() => problems.filter(chatError).length === 3, 5000, 'the chat button throwing');
  problems.splice(0, problems.length, ...problems.filter((p) => !chatError(p)));
  await pageB.evaluate(() => window.ff.flush());
  const c = await visitor();
  const pageC = await c.open('/');
  await pageC.getByRole('button', { name: 'Reject all' }).click();
  await pageC.getByRole('link', { name: 'Data recovery' }).click();
  await waitReady(pageC);
  await pageC.getByRole('button', { name: 'Check price' }).click();

  await waitFor(() => eventsOf(demo.lines()).filter((e) => e.type === 'page' && pathOf(e).startsWith('/services/')).length >= 2, 5000, 'both service views');
  await sleep(1500); // anything C might (wrongly) send
  const events = eventsOf(demo.lines());
  const ids = new Set(events.map((e) => e.anonymousId));
  assert.equal(ids.size, 2, 'two visitors reached the collector; the one who rejected sent nothing');
  const priceChecked = events.filter((e) => e.event === 'price_checked');
  assert.equal(priceChecked.length, 1);
  assert.deepEqual(priceChecked[0].properties, { service: 'iphone_screen', model: 'iPhone 13', price: '179' }, 'data-ff-prop-* attributes, read at click time');
  const beaconed = demo.lines().find((l) => l.body?.batch?.some((e) => e.event === 'price_checked'));
  assert.equal(beaconed.via, 'beacon', 'the event tracked just before leaving left in a beacon');
  const completed = events.find((e) => e.event === 'booking_completed');
  assert.equal(completed.properties.service, 'iphone_screen');
  assert.equal(completed.properties.price, 179);
  assert.equal(completed.properties.reference, reference);
  const paths = events.filter((e) => e.type === 'page' && e.anonymousId === completed.anonymousId).map(pathOf);
  for (const path of ['/book', '/book/details', '/book/confirm']) assert.ok(paths.includes(path), `a page view of ${path} (pushState): ${paths}`);
  const fromB = events.filter((e) => e.anonymousId !== completed.anonymousId);
  assert.deepEqual(fromB.filter((e) => e.event === 'scroll_depth' && e.context?.page?.path === '/').map((e) => e.properties.percent), [25, 50, 75, 90, 100], 'scroll milestones of the home page');
  const rage = fromB.find((e) => e.event === 'rage_click');
  assert.ok(rage, 'a rage click on the broken button');
  assert.match(rage.properties.selector, /button#chat/);
  assert.equal(rage.properties.text, 'Chat with a technician');
  // Attribution: every event of A's visit carries the newsletter campaign, B's are Direct.
  const fromA = events.filter((e) => e.anonymousId === completed.anonymousId);
  for (const e of fromA) {
    assert.deepEqual(e.context?.campaign, { source: 'newsletter', medium: 'email', name: 'spring' }, `campaign of ${e.event ?? e.type}`);
    assert.equal(e.context?.channel, 'Email');
  }
  assert.equal(new Set(fromA.map((e) => e.context?.session?.id)).size, 1, 'one session');
  assert.ok(events.filter((e) => e.anonymousId !== completed.anonymousId).every((e) => e.context?.channel === 'Direct'));

  // The inspector, as a third person watching.
  const watcher = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const inspector = await watcher.newPage();
  watch(inspector);
  await inspector.goto(demo.origin + '/inspector');
  // Settled: the inspector shows every event the collector wrote down.
  let all;
  await waitFor(async () => {
    all = eventsOf(demo.lines());
    return (await inspector.textContent('#total-events')) === String(all.length) && (await inspector.locator('#events li.ev').count()) === all.length;
  }, 5000, 'the inspector to show every event');
  const funnel = await inspector.$$eval('#funnel li', (lis) => lis.map((li) => [li.dataset.step, Number(li.dataset.count), li.dataset.drop ?? null]));
  assert.deepEqual(funnel, [
    ['landing', 2, null],
    ['service_viewed', 2, '0'],
    ['price_checked', 1, '50'],
    ['booking_started', 1, '0'],
    ['booking_completed', 1, '0'],
  ]);
  assert.equal(await inspector.textContent('#funnel li[data-step="price_checked"] .drop'), '−50%');
  // The counters and the events collected, read together: the visitors'
  // pages are still open and send click-map points every 10 s.
  let counters;
  let expected;
  await waitFor(async () => {
    counters = Object.fromEntries(await inspector.$$eval('#counters li', (lis) => lis.map((li) => [li.dataset.name, Number(li.querySelector('.n').textContent)])));
    expected = {};
    for (const e of eventsOf(demo.lines())) {
      const key = e.type === 'track' ? e.event : e.type === 'page' ? 'page view' : e.type;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    return isDeepStrictEqual(counters, expected);
  }, 5000, 'the counters to match the events collected');
  assert.deepEqual(counters, expected);
  assert.equal(counters.price_checked, 1);
  assert.equal(counters.booking_started, 1);
  assert.equal(counters.booking_completed, 1);
  assert.equal(counters.consent_updated, 2);
  assert.equal(await inspector.textContent('#total-dupes'), '0');

  // Each event: type, name, time, channel, properties; the raw JSON on click.
  const row = inspector.locator('#events li.ev[data-name="price_checked"]');
  assert.equal(await row.count(), 1);
  assert.equal(await row.getAttribute('data-via'), 'beacon');
  assert.equal(await row.locator('.type').textContent(), 'track');
  assert.match(await row.locator('time').textContent(), /^\d\d:\d\d:\d\d\.\d{3}$/);
  assert.match(await row.locator('.props').textContent(), /service: iphone_screen · model: iPhone 13 · price: 179/);
  assert.equal(await row.locator('.chip.channel').textContent(), 'Email');
  assert.equal(await row.locator('pre').isVisible(), false);
  await row.locator('summary').click();
  const json = JSON.parse(await row.locator('pre').textContent());
  assert.equal(json.messageId, priceChecked[0].messageId);
  assert.equal(await inspector.locator('#events li.ev[data-type="page"][data-name="/services/battery"]').count(), 1);

  // The last batch, as the collector saw it.
  const last = demo.lines().at(-1);
  const box = await inspector.$eval('#last-batch', (el) => ({ ...el.dataset }));
  assert.deepEqual(box, { via: last.via, encoding: last.encoding ?? '', bytes: String(last.bytes), events: String(last.body.batch.length) });
  assert.match(await inspector.textContent('#last-batch'), new RegExp(`${last.via}`));

  // The embedded panel shows the same, and this tab's state.
  await page.goto(demo.origin + '/');
  await waitReady(page);
  const panel = page.frameLocator('#inspector-panel iframe');
  await panel.locator('#funnel li[data-step="booking_completed"][data-count="1"]').waitFor({ timeout: 5000 });
  await panel.locator('#tab-consent[data-state="granted"]').waitFor({ timeout: 5000 });
  // The screenshot: the store with the inspector beside it, after the funnel run.
  await page.evaluate(() => window.scrollTo(0, 0));
  await panel.locator('#events li.ev').first().waitFor();
  await sleep(1300); // the newest row's highlight fades
  const png = await page.screenshot();
  mkdirSync(join(root, 'test-results'), { recursive: true });
  writeFileSync(join(root, 'test-results', 'demo.png'), png);
  if (process.env.UPDATE_SCREENSHOT) updateReadmeScreenshot();
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1280, 900], 'pixel dimensions');
  const regions = await inspectPng(page, png, {
    header: [0, 0, 840, 64],
    store: [0, 64, 840, 836],
    panel: [840, 0, 440, 900],
  });
  assert.ok(regions.store.mean > 170, `the store is light (${regions.store.mean})`);
  assert.ok(regions.panel.mean < 90, `the inspector is dark (${regions.panel.mean})`);
  for (const [name, r] of Object.entries(regions)) {
    assert.ok(r.colors >= 12 && r.spread >= 60, `${name} is not blank: ${JSON.stringify(r)}`);
  }
  assert.ok(regions.panel.light > 0.01, `the inspector shows text (${regions.panel.light})`);

  // A live update: a new event appears without a reload.
  await page.evaluate(() => window.ff.trackEvent('hello_from_test', { n: 1 }));
  await inspector.locator('#events li.ev[data-name="hello_from_test"]').waitFor({ timeout: 5000 });

  assert.deepEqual(problems, [], 'no console errors');
  await Promise.all([a.context.close(), b.context.close(), c.context.close(), watcher.close()]);
});

/**
 * `UPDATE_SCREENSHOT=1 npm test` refreshes the README's docs/demo.png,
 * through pngquant when it is installed (a third of the size).
 */
function updateReadmeScreenshot() {
  const from = join(root, 'test-results', 'demo.png');
  const to = join(root, 'docs', 'demo.png');
  try {
    execFileSync('pngquant', ['--quality', '70-90', '--speed', '1', '--force', '--output', to, from]);
  } catch {
    copyFileSync(from, to);
  }
}

/**
 * Reads regions of a PNG in the browser (a canvas): per region, the mean
 * luminance, the count of distinct colours (4 bits per channel), the spread
 * of luminance (max - min) and the share of light pixels.
 */
async function inspectPng(page, png, regions) {
  return page.evaluate(
    async ({ data, regions }) => {
      const image = new Image();
      image.src = 'data:image/png;base64,' + data;
      await image.decode();
      const canvas = document.createElement('canvas');
      canvas.width = image.width;
      canvas.height = image.height;
      const g = canvas.getContext('2d');
      g.drawImage(image, 0, 0);
      const out = {};
      for (const [name, [x, y, w, h]] of Object.entries(regions)) {
        const px = g.getImageData(x, y, w, h).data;
        const colors = new Set();
        let sum = 0;
        let min = 255;
        let max = 0;
        let light = 0;
        for (let i = 0; i < px.length; i += 4) {
          const l = 0.2126 * px[i] + 0.7152 * px[i + 1] + 0.0722 * px[i + 2];
          sum += l;
          min = Math.min(min, l);
          max = Math.max(max, l);
          if (l > 160) light++;
          colors.add(((px[i] >> 4) << 8) | ((px[i + 1] >> 4) << 4) | (px[i + 2] >> 4));
        }
        const n = px.length / 4;
        out[name] = { mean: Math.round(sum / n), colors: colors.size, spread: Math.round(max - min), light: light / n };
      }
      return out;
    },
    { data: png.toString('base64'), regions },
  );
}

test('accessibility: the consent banner and the exit offer are labelled and work with the keyboard alone', async () => {
  const { context, open } = await visitor();
  const page = await open('/services/battery');
  const banner = page.getByRole('dialog', { name: 'Your privacy, your choice' });
  assert.equal(await banner.isVisible(), true);
  assert.match(await page.$eval('#consent', (el) => document.getElementById(el.getAttribute('aria-describedby')).textContent), /Nothing is sent or stored/);

  // The banner comes first in the tab order, right after the skip link.
  const focused = () => page.evaluate(() => {
    const el = document.activeElement;
    return { text: (el.getAttribute('aria-label') || el.textContent).trim(), inBanner: Boolean(el.closest('#consent')), id: el.id };
  });
  await page.keyboard.press('Tab');
  assert.equal((await focused()).text, 'Skip to content');
  await page.keyboard.press('Tab');
  assert.deepEqual(await focused(), { text: 'Reject all', inBanner: true, id: '' });
  await page.keyboard.press('Tab');
  assert.equal((await focused()).text, 'Accept all');
  await page.keyboard.press('Tab');
  assert.equal((await focused()).text, 'Choose categories');
  await page.keyboard.press('Enter');
  assert.equal(await page.getAttribute('#consent-customize', 'aria-expanded'), 'true');
  const analytics = page.getByRole('checkbox', { name: 'Analytics' });
  const marketing = page.getByRole('checkbox', { name: 'Marketing' });
  assert.equal(await analytics.isVisible(), true, 'categories are labelled checkboxes');
  assert.equal(await page.getByRole('checkbox', { name: 'Necessary' }).isDisabled(), true);
  await analytics.focus();
  await page.keyboard.press('Space');
  assert.equal(await analytics.isChecked(), true);
  // Tab on to "Save choices" and press Enter: analytics yes, marketing no.
  for (let i = 0; i < 8 && (await focused()).text !== 'Save choices'; i++) await page.keyboard.press('Tab');
  assert.equal((await focused()).text, 'Save choices');
  await page.keyboard.press('Enter');
  assert.equal(await banner.isVisible(), false, 'a decision closes the banner');
  const consent = await page.evaluate(() => window.ff.getConsent());
  assert.equal(consent.decided, true);
  assert.equal(consent.categories.analytics, true);
  assert.equal(consent.categories.marketing, false);
  assert.match(await page.textContent('.toast'), /Analytics on/);

  // "Privacy settings" reopens it with the choice in force; Escape closes it and focus returns.
  await page.focus('#privacy-settings');
  await page.keyboard.press('Enter');
  assert.equal(await banner.isVisible(), true);
  assert.equal(await analytics.isChecked(), true);
  assert.equal(await marketing.isChecked(), false);
  assert.equal((await focused()).inBanner, true, 'focus moves into the banner');
  await page.keyboard.press('Escape');
  assert.equal(await banner.isVisible(), false);
  assert.equal((await focused()).id, 'privacy-settings', 'focus returns to the link');
  // Changing the choice there: reject.
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Reject all' }).press('Enter');
  assert.equal((await page.evaluate(() => window.ff.getConsent())).categories.analytics, false);
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Accept all' }).press('Enter');
  assert.equal((await page.evaluate(() => window.ff.getConsent())).categories.analytics, true);

  // The exit offer: the pointer leaves through the top after 2 s on the page.
  await page.getByRole('button', { name: 'Check price' }).focus();
  await page.mouse.move(400, 300);
  await sleep(2100);
  await page.mouse.move(400, 5, { steps: 4 });
  await page.mouse.move(400, -20, { steps: 2 });
  const offer = page.getByRole('dialog', { name: 'Leaving already?' });
  await offer.waitFor({ timeout: 3000 });
  assert.equal(await page.getAttribute('#exit-offer', 'aria-modal'), 'true');
  assert.match(await page.$eval('#exit-offer', (el) => document.getElementById(el.getAttribute('aria-describedby')).textContent), /STAYFIXED/);
  const inOffer = () => page.evaluate(() => Boolean(document.activeElement?.closest('#exit-offer')));
  assert.equal(await inOffer(), true, 'focus moves into the offer');
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    assert.equal(await inOffer(), true, `Tab ${i + 1} stays inside`);
  }
  await page.keyboard.press('Shift+Tab');
  assert.equal(await inOffer(), true, 'Shift+Tab stays inside');
  assert.equal(await page.getByRole('button', { name: 'Close the offer' }).count(), 1, 'the close button is labelled');
  await page.keyboard.press('Escape');
  await offer.waitFor({ state: 'hidden' });
  await page.evaluate(() => window.ff.flush());
  await waitFor(() => eventsOf(demo.lines()).some((e) => e.event === 'exit_intent' && e.context?.page?.path === '/services/battery'), 5000, 'the exit_intent event');
  await waitFor(() => ['exit_offer_shown', 'exit_offer_dismissed'].every((n) => eventsOf(demo.lines()).some((e) => e.event === n)), 5000, 'the offer events');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'check-price', 'focus returns where it was');

  // Every form control of the store has a label.
  for (const path of ['/quote', '/book']) {
    await page.goto(demo.origin + path);
    await waitReady(page);
    if (path === '/book') {
      await page.getByRole('button', { name: 'Continue' }).click();
      assert.match(await page.textContent('#service-error'), /Choose a repair/);
      await page.getByLabel(/Battery replacement/).check();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.waitForURL(/\/book\/details/);
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H2', 'focus moves to the new step');
    }
    const unlabelled = await page.$$eval('main input, main select, main textarea', (els) =>
      els.filter((el) => el.type !== 'hidden' && !el.labels?.length && !el.getAttribute('aria-label')).map((el) => el.outerHTML),
    );
    assert.deepEqual(unlabelled, [], `${path}: every control has a label`);
    if (path === '/quote') {
      // The quote request: an email address typed in the description arrives redacted.
      await page.getByRole('button', { name: 'Send request' }).click();
      assert.equal(await page.getAttribute('#q-device', 'aria-invalid'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'q-device', 'focus on the first invalid field');
      await page.getByLabel('Device and model').fill('iPhone 12');
      await page.getByLabel('What happened?').fill('Screen cracked, call me at ada@example.com');
      await page.getByLabel('Your email').fill('ada@example.com');
      await page.getByRole('button', { name: 'Send request' }).click();
      await page.getByRole('heading', { name: 'Request sent' }).waitFor();
      await page.evaluate(() => window.ff.flush());
      await waitFor(() => eventsOf(demo.lines()).some((e) => e.event === 'quote_requested'), 5000, 'quote_requested');
      const quote = eventsOf(demo.lines()).find((e) => e.event === 'quote_requested');
      assert.deepEqual(quote.properties, { service: 'iphone_screen', device: 'iPhone 12', description: 'Screen cracked, call me at [email]' });
      assert.ok(!readFileSync(demo.collected, 'utf8').includes('ada@example.com'), 'the address never reached the collector');
    }
  }
  assert.deepEqual(problems, [], 'no console errors');
  await context.close();
});
