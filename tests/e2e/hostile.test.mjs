// A hostile or broken page cannot break footfall, in Chromium, Firefox and
// WebKit: its fetch throwing or never answering, its globals replaced after
// footfall loaded, foreign records in storage, and lengths it fakes.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, testPage, sleep } from './harness.mjs';

/** Runs `fn` (source) in every page before its scripts. */
const before = (collector, fn, arg) => collector.initScripts.push(`(${fn})(${JSON.stringify(arg ?? null)})`);

async function ready(context, collector, options = {}) {
  const page = await context.newPage(collector.origin + testPage(options));
  await page.waitForFunction(() => window.ffReady, undefined, 30_000);
  return page;
}

forEachEngine((get) => {
  beforeEach(() => get().collector.reset());

  test('a fetch that throws at once: calls and flush() never throw, flush() settles, the events stay for the next page', async () => {
    const { browser, collector } = get();
    before(collector, () => {
      const original = window.fetch;
      window.fetch = function (url, init) {
        if (init && init.method === 'POST') throw new TypeError('blocked by the page');
        return original.apply(this, arguments);
      };
    });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 100 });
    const result = await page.evaluate(async () => {
      const t0 = performance.now();
      try {
        for (let i = 0; i < 10; i++) ff.trackEvent('thrown', { i });
        await ff.flush();
        await ff.flush();
        return { ms: performance.now() - t0, stats: ff.stats() };
      } catch (e) {
        return { threw: String(e) };
      }
    });
    assert.equal(result.threw, undefined);
    assert.ok(result.ms < 9000, `flush() settled in ${result.ms} ms`);
    assert.equal(result.stats.sent, 0);
    assert.equal(result.stats.queued, 10, 'kept');
    assert.deepEqual(await page.errors(), []);
    // The next page, with a fetch that works, sends them.
    collector.initScripts = [];
    await page.goto(collector.origin + testPage());
    await page.waitForFunction(() => window.ffReady);
    await collector.waitFor((c) => c.deliveries().size >= 10, 10_000, 'the 10 events from the next page');
    await context.close();
  });

  test('a fetch that never answers: flush() settles within 10 s, and the events are retried', async () => {
    const { browser, collector } = get();
    before(collector, () => {
      const original = window.fetch;
      window.fetch = function (url, init) {
        if (init && init.method === 'POST' && !window.fetchWorks) return new Promise(() => {});
        return original.apply(this, arguments);
      };
    });
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 100 });
    const ms = await page.evaluate(async () => {
      ff.trackEvent('hanging');
      const t0 = performance.now();
      await ff.flush();
      return performance.now() - t0;
    });
    assert.ok(ms >= 9000 && ms < 10_800, `flush() settled after ${ms} ms`);
    // The hanging request counts as a network error 10 s after it started
    // (a moment after the flush's own deadline): the event is retried.
    await sleep(500);
    const stats = await page.evaluate(() => ff.stats());
    assert.equal(stats.queued, 1);
    assert.ok(stats.retried >= 1, JSON.stringify(stats));
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test("the page's fetch, sendBeacon and JSON.stringify replaced after footfall loaded change nothing", async () => {
    const { browser, collector } = get();
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 1 });
    await page.evaluate(() => {
      window.fetch = () => {
        throw new Error('replaced fetch');
      };
      navigator.sendBeacon = () => {
        throw new Error('replaced sendBeacon');
      };
      const stringify = JSON.stringify;
      JSON.stringify = () => {
        throw new Error('replaced stringify');
      };
      ff.trackEvent('after_replacement', { n: 1 });
      // Put back for the test driver, which needs it to answer (WebKit's).
      JSON.stringify = stringify;
    });
    await collector.waitFor((c) => c.events().some((e) => e.event === 'after_replacement'), 5000, 'the event');
    assert.deepEqual(collector.events().find((e) => e.event === 'after_replacement').properties, { n: 1 });
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('foreign and oversized footfall records in storage are ignored and never block or break a body', async () => {
    const { browser, collector } = get();
    const context = await browser.newContext();
    // Plant the records with a first page (no footfall on it).
    const planter = await context.newPage(collector.origin + '/tests/e2e/pages/blank.html');
    await planter.evaluate(() => {
      localStorage.setItem('footfall.q.deadbeef.1', 'not json at all\n{"type":"track","event":"cut",');
      localStorage.setItem('footfall.q.deadbeef.2', '{"type":"track","event":"huge","messageId":"x","properties":{"s":"' + 'x'.repeat(3_000_000) + '"}}');
      localStorage.setItem('footfall.hb.deadbeef', 'closed');
    });
    const page = await ready(context, collector, { flushAt: 1, debug: true });
    await page.evaluate(() => ff.trackEvent('mine'));
    await collector.waitFor((c) => c.events().some((e) => e.event === 'mine'), 5000, 'the page own event');
    await sleep(500);
    assert.ok(collector.requests.every((r) => r.body !== null), 'every body is valid JSON');
    assert.deepEqual(collector.events().map((e) => e.event), ['mine']);
    assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('deadbeef')).length), 0, 'the foreign records are gone');
    assert.ok((await page.evaluate(() => ff.stats())).dropped >= 3);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('60,000 forged footfall keys: footfall starts at once and tracks', async () => {
    const { browser, collector } = get();
    const context = await browser.newContext();
    const planter = await context.newPage(collector.origin + '/tests/e2e/pages/blank.html');
    await planter.evaluate(() => {
      for (let i = 0; i < 60_000; i++) localStorage.setItem(`footfall.q.t${i}.1`, 'x');
    });
    const page = await context.newPage(collector.origin + '/tests/e2e/pages/blank.html');
    const ms = await page.evaluate(async () => {
      const { init } = await import('/dist/footfall.mjs');
      const t0 = performance.now();
      window.ff = await init({ endpoint: '/collect', flushAt: 1, autocapture: false });
      const ms = performance.now() - t0;
      ff.trackEvent('started');
      return ms;
    });
    await collector.waitFor((c) => c.events().some((e) => e.event === 'started'), 10_000, 'the event');
    assert.ok(ms < 3000, `init took ${ms} ms`);
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('a dataLayer claiming 2^32-1 entries and a Storage.length of 2^32-1 cannot make footfall loop', async () => {
    const { browser, collector } = get();
    before(collector, () => {
      window.dataLayer = [{ event: 'first' }];
      window.dataLayer.length = 2 ** 32 - 1;
      Object.defineProperty(Storage.prototype, 'length', { get: () => 2 ** 32 - 1, configurable: true });
    });
    const context = await browser.newContext();
    const page = await context.newPage(collector.origin + '/tests/e2e/pages/blank.html');
    const ms = await page.evaluate(async () => {
      const { init } = await import('/dist/footfall.mjs');
      const t0 = performance.now();
      window.ff = await init({ endpoint: '/collect', flushAt: 1, autocapture: false, dataLayer: true });
      return performance.now() - t0;
    });
    assert.ok(ms < 3000, `init took ${ms} ms`);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'first'), 5000, 'the forwarded entry');
    assert.equal(await page.evaluate(() => window.dataLayer.length), 2 ** 32 - 1, 'left as it was');
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('a window.dataLayer that is not an array is left alone', async () => {
    const { browser, collector } = get();
    before(collector, () => {
      window.dataLayer = 'the page uses this name for a string';
    });
    const context = await browser.newContext();
    const page = await ready(context, collector, { dataLayer: { forward: true, mirror: true, consentMode: true }, consent: { mode: 'opt-in' } });
    await page.evaluate(() => ff.setConsent({ analytics: true }));
    await sleep(300);
    assert.equal(await page.evaluate(() => window.dataLayer), 'the page uses this name for a string');
    assert.deepEqual(await page.errors(), []);
    await context.close();
  });

  test('the time zone: from Temporal where the browser has it (no locale data loaded at start), else from Intl; a broken Temporal changes nothing', async () => {
    const { browser, collector } = get();
    const zoneOf = async (setup) => {
      collector.reset();
      before(collector, () => {
        // Counts what footfall's start would pay for: Intl.DateTimeFormat constructions.
        const Original = Intl.DateTimeFormat;
        window.__dtf = 0;
        Intl.DateTimeFormat = new Proxy(Original, {
          construct: (t, a) => (window.__dtf++, Reflect.construct(t, a)),
          apply: (t, self, a) => (window.__dtf++, Reflect.apply(t, self, a)),
        });
      });
      if (setup) before(collector, setup);
      const context = await browser.newContext();
      const page = await ready(context, collector, { flushAt: 1 });
      const constructed = await page.evaluate(() => window.__dtf);
      await page.evaluate(() => ff.trackEvent('zoned'));
      await collector.waitFor((c) => c.events().some((e) => e.event === 'zoned'), 5000, 'the event');
      const [event] = collector.events().filter((e) => e.event === 'zoned');
      const expected = await page.evaluate(() => new Intl.DateTimeFormat().resolvedOptions().timeZone);
      const temporal = await page.evaluate(() => typeof Temporal != 'undefined' && typeof Temporal.Now?.timeZoneId == 'function');
      assert.deepEqual(await page.errors(), []);
      await context.close();
      return { zone: event.context.timezone, expected, constructed, temporal };
    };
    const plain = await zoneOf();
    assert.equal(plain.zone, plain.expected);
    if (plain.temporal) assert.equal(plain.constructed, 0, 'with Temporal, start loads no locale data');
    const throwing = await zoneOf(() => {
      window.Temporal = { Now: { timeZoneId() { throw new Error('broken by the page'); } } };
    });
    assert.equal(throwing.zone, throwing.expected, 'a throwing Temporal: the zone from Intl');
    const odd = await zoneOf(() => {
      window.Temporal = { Now: { timeZoneId: () => 'x'.repeat(100_000) } };
    });
    assert.equal(odd.zone, odd.expected, 'an answer that is no time zone: the zone from Intl');
  });

  test('free() and [Symbol.dispose]() stop the client: later calls neither throw nor send, and what was queued stays for the next page', async () => {
    const { browser, collector } = get();
    const context = await browser.newContext();
    const page = await ready(context, collector, { flushAt: 100 });
    const result = await page.evaluate(async () => {
      try {
        ff.trackEvent('before_free', { n: 1 });
        ff.free();
        ff.free();
        if (Symbol.dispose) ff[Symbol.dispose]();
        ff.trackEvent('after_free', { n: 2 });
        ff.track('after_free', { n: 3 });
        ff.page();
        ff.identify('u1');
        await ff.flush();
        return { stats: ff.stats(), id: ff.anonymousId().length };
      } catch (e) {
        return { threw: String(e) };
      }
    });
    assert.equal(result.threw, undefined);
    assert.equal(result.id, 36);
    assert.deepEqual(await page.errors(), []);
    await sleep(300);
    assert.equal(collector.events().length, 0, 'nothing sent after free()');
    await page.goto(collector.origin + testPage());
    await page.waitForFunction(() => window.ffReady);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'before_free'), 10_000, 'the queued event, from the next page');
    assert.ok(!collector.events().some((e) => e.event === 'after_free'));
    await context.close();
  });
});
