// Delivery under injected faults, in Chromium, Firefox and WebKit: every
// event reaches the collector exactly once (counted by messageId), none
// missing.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, chromiumOnly, open, testPage, sleep } from './harness.mjs';
import { tracer } from './unload-run.mjs';

/** Asserts that exactly `ids` were delivered to `collector`, each once. */
function assertExactlyOnce(collector, ids, what) {
  const deliveries = collector.deliveries();
  const missing = [...ids].filter((id) => !deliveries.has(id));
  const twice = [...deliveries].filter(([, n]) => n > 1).map(([id]) => id);
  const extra = [...deliveries.keys()].filter((id) => !ids.has(id));
  assert.deepEqual({ missing: missing.length, twice: twice.length, extra: extra.length }, { missing: 0, twice: 0, extra: 0 }, what);
}

/** Opens the test page with `options` in a new page of `context`, footfall ready. */
async function ready(context, collector, options, suffix = '') {
  const page = await context.newPage(collector.origin + testPage(options) + suffix);
  await page.waitForFunction(() => window.ffReady);
  return page;
}

/** Tracks `n` events spaced `gapMs` apart, named `prefix_i`. */
async function trackSpaced(page, prefix, n, gapMs) {
  for (let i = 0; i < n; i++) {
    await page.evaluate(([p, i]) => ff.trackEvent(p, { i }), [prefix, i]);
    if (gapMs) await sleep(gapMs);
  }
}

/** Keys of footfall's stored events in the page's localStorage. */
const storedSegments = () => Object.keys(localStorage).filter((k) => k.startsWith('footfall.q.'));

forEachEngine((get) => {
  beforeEach(() => get().collector.reset());

  test('collector down (503) for 10 s while 50 events are tracked, then back: 50/50, no duplicates', async () => {
    const { browser, collector } = get();
    const until = Date.now() + 10_000;
    collector.respond = () => ({ status: Date.now() < until ? 503 : 200 });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 5 });
    await trackSpaced(page, 'outage', 50, 100);
    await collector.waitFor((c) => c.deliveries().size >= 50, 40_000, '50 events after the outage');
    await sleep(500);
    const ids = collector.attempted();
    assert.equal(ids.size, 50);
    assertExactlyOnce(collector, ids, 'after the outage');
    assert.ok(collector.requests.some((r) => r.status === 503), 'the outage was felt');
    const stats = await page.evaluate(() => ff.stats());
    assert.equal(stats.sent, 50);
    assert.ok(stats.retried > 0);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('the same outage with a reload in the middle: 50/50 after the reload, same messageIds', async () => {
    const { browser, collector } = get();
    const until = Date.now() + 10_000;
    collector.respond = () => ({ status: Date.now() < until ? 503 : 200 });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 5 });
    await page.evaluate(() => {
      for (let i = 0; i < 50; i++) ff.trackEvent('reload_outage', { i });
    });
    await sleep(3000);
    assert.ok((await page.evaluate(storedSegments)).length > 0, 'persisted before the reload');
    await page.reload();
    await page.waitForFunction(() => window.ffReady);
    await collector.waitFor((c) => c.deliveries().size >= 50, 40_000, '50 events after the reload');
    await sleep(1000);
    const ids = collector.attempted();
    const history = collector.requests.map((r) => `${r.status}:${r.via}:${r.body?.batch?.length}`).join(' ');
    assert.equal(ids.size, 50, `the reload sent the same 50 messageIds, no new ones (${history})`);
    assertExactlyOnce(collector, ids, `after reload (${history})`);
    const indexes = collector.events().map((e) => e.properties.i).sort((a, b) => a - b);
    assert.deepEqual(indexes, [...Array(50).keys()]);
    assert.deepEqual(await page.evaluate(storedSegments), []);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('429 with Retry-After: 2 means no request before 2 s', async () => {
    const { browser, collector } = get();
    let first = true;
    collector.respond = () => {
      if (first) {
        first = false;
        return { status: 429, headers: { 'retry-after': '2' } };
      }
      return { status: 200 };
    };
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 1 });
    await page.evaluate(() => ff.trackEvent('throttled'));
    await collector.waitFor((c) => c.deliveries().size === 1, 10_000, 'the retried event');
    const [throttled, next] = collector.requests;
    assert.equal(throttled.status, 429);
    assert.ok(next.at - throttled.at >= 2000, `retried after ${next.at - throttled.at} ms`);
    assert.equal(collector.requests.length, 2);
    await context.close();
  });

  test('413 for batches over 5 events: every event is still delivered once', async () => {
    const { browser, collector } = get();
    collector.respond = (r) => ({ status: r.body.batch.length > 5 ? 413 : 200 });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 40 });
    await page.evaluate(() => {
      for (let i = 0; i < 40; i++) ff.trackEvent('split', { i, pad: 'x'.repeat(200) });
    });
    await collector.waitFor((c) => c.deliveries().size >= 40, 15_000, '40 events');
    assertExactlyOnce(collector, collector.attempted(), '413');
    assert.ok(collector.requests.some((r) => r.status === 413));
    assert.ok(collector.requests.filter((r) => r.status === 200).every((r) => r.body.batch.length <= 5));
    await context.close();
  });

  test('1,000 events of 2 KB, then an immediate navigation: all arrive, on unload or on the next page', async () => {
    const { browser, collector } = get();
    const context = await browser.newContext();
    const page = await ready(context, collector, {});
    const errors = await page.errors();
    await page.evaluate((next) => {
      const pad = 'p'.repeat(2000);
      for (let i = 0; i < 1000; i++) ff.trackEvent('big', { i, pad });
      location.href = next;
    }, collector.origin + testPage() + '&second=1');
    await page.waitForFunction(() => location.search.includes('second=1') && window.ffReady, undefined, 15_000);
    await collector.waitFor((c) => c.deliveries().size >= 1000, 30_000, '1000 events');
    await sleep(500);
    const ids = collector.attempted();
    assert.equal(ids.size, 1000);
    assertExactlyOnce(collector, ids, 'big events');
    assert.ok(collector.requests.some((r) => r.via === 'beacon'), 'part left with the page');
    assert.deepEqual([...errors, ...(await page.errors())], []);
    await context.close();
  });

  test('a request still unanswered as the page navigates away: its events arrive once, neither resent by this page nor by the next', async () => {
    // Chromium rejects a keepalive fetch's promise as its page navigates
    // away, although the request goes on and arrives: no network error.
    const { browser, collector } = get();
    collector.respond = () => ({ status: 200, delayMs: 1000 });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 1 });
    await page.evaluate(() => ff.trackEvent('in_flight'));
    await collector.waitFor((c) => c.requests.some((r) => r.body?.batch?.some((e) => e.event === 'in_flight')), 5000, 'the event sent');
    await page.goto(collector.origin + testPage({ flushAt: 1 }) + '&next=1');
    await page.waitForFunction(() => window.ffReady);
    await sleep(2500); // the next page would have adopted anything left stored
    const sends = (name) => collector.requests.flatMap((r) => r.body?.batch ?? []).filter((e) => e.event === name).length;
    assert.equal(sends('in_flight'), 1, 'the unanswered request is not sent again, on this page or the next');
    assert.deepEqual(await page.evaluate(storedSegments), []);
    await context.close();
  });

  test('two tabs tracking at once, one closed mid-flight: every event of both, a duplicate only of a request the close cut off', async () => {
    const { browser, collector } = get();
    collector.respond = () => ({ status: 200, delayMs: 150 });
    if (process.env.FOOTFALL_TRACE) collector.initScripts.push(`(${tracer})()`);
    if (process.env.FOOTFALL_STORAGE_EVENTS) collector.initScripts.push(`window.__se=[];addEventListener('storage',(e)=>__se.push(Math.round(performance.now())+' '+e.key+'='+String(e.newValue).slice(0,30).split('\\n').length+':'+String(e.newValue).slice(0,20)))`);
    const context = await browser.newContext();
    // B first, so that A, the tab the visitor closes, is the one in front
    // (Firefox closes a background tab without pagehide: see the README).
    const b = await ready(context, collector, { flushAt: 10 });
    const a = await ready(context, collector, { flushAt: 10 });
    for (let i = 0; i < 60; i++) {
      await a.evaluate((i) => ff.trackEvent('tab_a', { i, pad: 'a'.repeat(1500) }), i);
      await b.evaluate((i) => ff.trackEvent('tab_b', { i }), i);
    }
    // A burst that is still queued or in flight when tab A closes.
    await a.evaluate(() => {
      for (let i = 60; i < 120; i++) ff.trackEvent('tab_a', { i, pad: 'a'.repeat(1500) });
    });
    const closing = Date.now();
    await a.close();
    await b.evaluate(() => {
      for (let i = 60; i < 100; i++) ff.trackEvent('tab_b', { i });
    });
    const got = (name) => new Set(collector.events().filter((e) => e.event === name).map((e) => e.properties.i));
    await collector
      .waitFor((c) => got('tab_a').size >= 120 && got('tab_b').size >= 100, 20_000, 'both tabs')
      .catch(async (e) => {
        const missing = (name, n) => [...Array(n).keys()].filter((i) => !got(name).has(i));
        const stored = await b.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith('footfall.')).map(([k, v]) => `${k}=${v.split('\n').length}:${v.slice(0, 40)}`));
        const history = collector.requests.map((r) => `${r.via}:${r.status}:${r.body?.batch?.map((x) => x.event[4] + x.properties.i).join(',')}`);
        const trace = process.env.FOOTFALL_TRACE ? await b.evaluate(() => window.__trace.join('\n')) : process.env.FOOTFALL_STORAGE_EVENTS ? await b.evaluate(() => window.__se.slice(-40).join('\n')) : '';
        throw new Error(`${e.message}: missing a ${missing('tab_a', 120)} b ${missing('tab_b', 100)}; stored ${stored.join(' ')}; ${history.join(' ')}\n${trace}`);
      });
    await sleep(1500);
    const ids = collector.attempted();
    assert.equal(ids.size, 220);
    // A duplicate only of a request still in flight as A closed (the
    // collector answers after 150 ms): Firefox destroys a tab at times
    // without pagehide, so A could not take those events out of storage,
    // and B, seeing A gone, sent them again.
    const cutOff = new Set(
      collector.requests
        .filter((r) => r.at >= closing - 400 && r.body?.batch?.every((e) => e.event === 'tab_a'))
        .flatMap((r) => r.body.batch.map((e) => e.messageId)),
    );
    const twice = [...collector.deliveries()].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(twice.filter((id) => !cutOff.has(id)), [], 'no other duplicate');
    assert.deepEqual([...ids].filter((id) => !collector.deliveries().has(id)), [], 'none missing');
    const aIndexes = new Set(collector.events().filter((e) => e.event === 'tab_a').map((e) => e.properties.i));
    assert.equal(aIndexes.size, 120);
    await context.close();
  });

  test('network errors for the whole first page, then a second page with the network back: all delivered once', async () => {
    const { browser, collector } = get();
    let broken = true;
    collector.respond = () => (broken ? { status: 0, destroy: true } : { status: 200 });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 5 });
    await page.evaluate(() => {
      for (let i = 0; i < 30; i++) ff.trackEvent('blocked', { i });
    });
    await sleep(5000); // three failed attempts in a row, then the page stops trying
    const stats = await page.evaluate(() => ff.stats());
    assert.equal(stats.sent, 0);
    assert.equal(stats.queued, 30, 'kept, not dropped');
    const attempts = collector.requests.length;
    await sleep(2500);
    assert.equal(collector.requests.length, attempts, `parked after ${attempts} attempts`);
    broken = false;
    await page.goto(collector.origin + testPage() + '&second=1');
    await page.waitForFunction(() => window.ffReady);
    await collector.waitFor((c) => c.deliveries().size >= 30, 10_000, '30 events on the second page');
    await sleep(500);
    assertExactlyOnce(collector, new Set(collector.events().map((e) => e.messageId)), 'after the errors');
    assert.equal(collector.deliveries().size, 30);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('storage throwing on setItem (quota): tracking continues in memory, nothing thrown', async () => {
    const { browser, collector } = get();
    collector.initScripts.push(`(${() => {
      const setItem = Storage.prototype.setItem;
      Storage.prototype.setItem = function (key, value) {
        if (String(key).startsWith('footfall.')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return setItem.call(this, key, value);
      };
    }})()`);
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 5 });
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
    assertExactlyOnce(collector, collector.attempted(), 'no storage');
    assert.deepEqual(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('footfall.'))), []);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });
});

chromiumOnly('chromium (playwright: offline)', (get) => {
  test('offline: no attempts are burnt; everything leaves on `online`', async () => {
    const { browser, collector } = get();
    collector.reset();
    const context = await browser.newContext();
    const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 1, debug: true }));
    await page.waitForFunction(() => window.ffReady);
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
    assertExactlyOnce(collector, collector.attempted(), 'offline');
    assert.deepEqual(errors, []);
    await context.close();
  });
});
