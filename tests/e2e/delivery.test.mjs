// Delivery under injected faults: every event reaches the collector exactly
// once (counted by messageId), none missing.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, testPage, sleep } from './harness.mjs';

let collector;
let browser;

useBrowser((c, b) => ([collector, browser] = [c, b]));
beforeEach(() => collector.reset());

/** Asserts that exactly `ids` were delivered, each once. */
function assertExactlyOnce(ids, what) {
  const deliveries = collector.deliveries();
  const missing = [...ids].filter((id) => !deliveries.has(id));
  const twice = [...deliveries].filter(([, n]) => n > 1).map(([id]) => id);
  const extra = [...deliveries.keys()].filter((id) => !ids.has(id));
  assert.deepEqual({ missing: missing.length, twice: twice.length, extra: extra.length }, { missing: 0, twice: 0, extra: 0 }, what);
}

async function ready(page) {
  await page.waitForFunction(() => window.ffReady);
}

/** Tracks `n` events spaced `gapMs` apart, named `prefix_i`. */
async function trackSpaced(page, prefix, n, gapMs) {
  for (let i = 0; i < n; i++) {
    await page.evaluate(([p, i]) => ff.trackEvent(p, { i }), [prefix, i]);
    if (gapMs) await sleep(gapMs);
  }
}

test('collector down (503) for 10 s while 50 events are tracked, then back: 50/50, no duplicates', async () => {
  const until = Date.now() + 10_000;
  collector.respond = () => ({ status: Date.now() < until ? 503 : 200 });
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 5 }));
  await ready(page);
  await trackSpaced(page, 'outage', 50, 100);
  await collector.waitFor((c) => c.deliveries().size >= 50, 40_000, '50 events after the outage');
  await sleep(500);
  const ids = collector.attempted();
  assert.equal(ids.size, 50);
  assertExactlyOnce(ids, 'after the outage');
  assert.ok(collector.requests.some((r) => r.status === 503), 'the outage was felt');
  const stats = await page.evaluate(() => ff.stats());
  assert.equal(stats.sent, 50);
  assert.ok(stats.retried > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the same outage with a reload in the middle: 50/50 after the reload, same messageIds', async () => {
  const until = Date.now() + 10_000;
  collector.respond = () => ({ status: Date.now() < until ? 503 : 200 });
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 5 }));
  await ready(page);
  const tracked = await page.evaluate(() => {
    const ids = [];
    for (let i = 0; i < 50; i++) ff.trackEvent('reload_outage', { i });
    return ids;
  });
  assert.deepEqual(tracked, []);
  await sleep(3000);
  const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.q.')).length);
  assert.ok(stored > 0, 'persisted before the reload');
  await page.reload();
  await ready(page);
  await collector.waitFor((c) => c.deliveries().size >= 50, 40_000, '50 events after the reload');
  await sleep(1000);
  const ids = collector.attempted();
  const history = collector.requests.map((r) => `${r.status}:${r.via}:${r.body?.batch?.length}`).join(' ');
  assert.equal(ids.size, 50, `the reload sent the same 50 messageIds, no new ones (${history})`);
  assertExactlyOnce(ids, `after reload (${history})`);
  const indexes = collector.events().map((e) => e.properties.i).sort((a, b) => a - b);
  assert.deepEqual(indexes, [...Array(50).keys()]);
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.q.'))), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('429 with Retry-After: 2 means no request before 2 s', async () => {
  let first = true;
  collector.respond = () => {
    if (first) {
      first = false;
      return { status: 429, headers: { 'retry-after': '2' } };
    }
    return { status: 200 };
  };
  const context = await browser.newContext();
  const { page } = await open(context, collector.origin, testPage({ flushAt: 1 }));
  await ready(page);
  await page.evaluate(() => ff.trackEvent('throttled'));
  await collector.waitFor((c) => c.deliveries().size === 1, 10_000, 'the retried event');
  const [throttled, next] = collector.requests;
  assert.equal(throttled.status, 429);
  assert.ok(next.at - throttled.at >= 2000, `retried after ${next.at - throttled.at} ms`);
  assert.equal(collector.requests.length, 2);
  await context.close();
});

test('413 for batches over 5 events: every event is still delivered once', async () => {
  collector.respond = (r) => ({ status: r.body.batch.length > 5 ? 413 : 200 });
  const context = await browser.newContext();
  const { page } = await open(context, collector.origin, testPage({ flushAt: 40 }));
  await ready(page);
  await page.evaluate(() => {
    for (let i = 0; i < 40; i++) ff.trackEvent('split', { i, pad: 'x'.repeat(200) });
  });
  await collector.waitFor((c) => c.deliveries().size >= 40, 15_000, '40 events');
  assertExactlyOnce(collector.attempted(), '413');
  assert.ok(collector.requests.some((r) => r.status === 413));
  assert.ok(collector.requests.filter((r) => r.status === 200).every((r) => r.body.batch.length <= 5));
  await context.close();
});

test('1,000 events of 2 KB, then an immediate navigation: all arrive, on unload or on the next page', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, testPage());
  await ready(page);
  await page.evaluate((next) => {
    const pad = 'p'.repeat(2000);
    for (let i = 0; i < 1000; i++) ff.trackEvent('big', { i, pad });
    location.href = next;
  }, testPage() + '&second=1');
  await page.waitForURL('**second=1');
  await collector.waitFor((c) => c.deliveries().size >= 1000, 30_000, '1000 events');
  await sleep(500);
  const ids = collector.attempted();
  assert.equal(ids.size, 1000);
  assertExactlyOnce(ids, 'big events');
  assert.ok(collector.requests.some((r) => r.via === 'beacon'), 'part left with the page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('two tabs tracking at once, one closed mid-flight: every event of both exactly once', async () => {
  collector.respond = () => ({ status: 200, delayMs: 150 });
  const context = await browser.newContext();
  const a = await open(context, collector.origin, testPage({ flushAt: 10 }));
  const b = await open(context, collector.origin, testPage({ flushAt: 10 }));
  await ready(a.page);
  await ready(b.page);
  const trackBoth = async (n) => {
    for (let i = 0; i < n; i++) {
      await a.page.evaluate((i) => ff.trackEvent('tab_a', { i, pad: 'a'.repeat(1500) }), i);
      await b.page.evaluate((i) => ff.trackEvent('tab_b', { i }), i);
    }
  };
  await trackBoth(60);
  // A burst that is still queued or in flight when tab A closes.
  await a.page.evaluate(() => {
    for (let i = 60; i < 120; i++) ff.trackEvent('tab_a', { i, pad: 'a'.repeat(1500) });
  });
  await a.page.close();
  await b.page.evaluate(() => {
    for (let i = 60; i < 100; i++) ff.trackEvent('tab_b', { i });
  });
  await collector.waitFor(
    (c) => c.events().filter((e) => e.event === 'tab_a').length >= 120 && c.events().filter((e) => e.event === 'tab_b').length >= 100,
    20_000,
    'both tabs',
  );
  await sleep(1500);
  const ids = collector.attempted();
  assert.equal(ids.size, 220);
  assertExactlyOnce(ids, 'two tabs');
  const a_indexes = new Set(collector.events().filter((e) => e.event === 'tab_a').map((e) => e.properties.i));
  assert.equal(a_indexes.size, 120);
  await context.close();
});

test('network blocked for the whole first page, then a second page with the network back: all delivered once', async () => {
  const context = await browser.newContext();
  await context.route('**/collect', (route) => route.abort('blockedbyclient'));
  const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 5 }));
  await ready(page);
  await page.evaluate(() => {
    for (let i = 0; i < 30; i++) ff.trackEvent('blocked', { i });
  });
  await sleep(4500); // three failed attempts, then the page stops trying
  const stats = await page.evaluate(() => ff.stats());
  assert.equal(stats.sent, 0);
  assert.equal(stats.queued, 30, 'kept, not dropped');
  assert.equal(collector.requests.length, 0);
  await context.unroute('**/collect');
  await page.goto(collector.origin + testPage() + '&second=1');
  await ready(page);
  await collector.waitFor((c) => c.deliveries().size >= 30, 10_000, '30 events on the second page');
  await sleep(500);
  assertExactlyOnce(collector.attempted(), 'after the block');
  assert.equal(collector.attempted().size, 30);
  assert.deepEqual(errors, []);
  await context.close();
});

test('storage throwing on setItem (quota): tracking continues in memory, nothing thrown', async () => {
  const context = await browser.newContext();
  await context.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (String(key).startsWith('footfall.')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };
  });
  const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 5 }));
  await ready(page);
  const thrown = await page.evaluate(async () => {
    try {
      for (let i = 0; i < 20; i++) ff.trackEvent('no_storage', { i });
      await ff.flush();
      return null;
    } catch (e) {
      return String(e);
    }
  });
  assert.equal(thrown, null);
  await collector.waitFor((c) => c.deliveries().size >= 20, 5000, '20 events');
  assertExactlyOnce(collector.attempted(), 'no storage');
  assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.'))), []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('offline: no attempts are burnt; everything leaves on `online`', async () => {
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 1, debug: true }));
  await ready(page);
  await context.setOffline(true);
  await page.evaluate(() => {
    for (let i = 0; i < 10; i++) ff.trackEvent('offline', { i });
  });
  await sleep(3500);
  const offline = await page.evaluate(() => ({ online: navigator.onLine, stats: ff.stats() }));
  assert.equal(offline.online, false);
  assert.equal(offline.stats.retried, 0, 'no attempt while offline');
  assert.equal(offline.stats.queued, 10);
  assert.equal(collector.requests.length, 0);
  await context.setOffline(false);
  await collector.waitFor((c) => c.deliveries().size >= 10, 5000, '10 events after going online');
  assertExactlyOnce(collector.attempted(), 'offline');
  assert.deepEqual(errors, []);
  await context.close();
});
