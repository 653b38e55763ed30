// The first events on the wire: shape, unload delivery, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, testPage } from './harness.mjs';

let collector;
let browser;

useBrowser((c, b) => ([collector, browser] = [c, b]));

async function fresh() {
  collector.requests.length = 0;
  collector.respond = null;
  return browser.newContext();
}

test('three trackEvent calls arrive as Segment-shaped events', async () => {
  const context = await fresh();
  const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 3 }));
  await page.waitForFunction(() => window.ffReady);
  await page.evaluate(() => {
    ff.trackEvent('quote_requested', { service: 'iphone_screen', price: 129 });
    ff.trackEvent('price_checked', { service: 'battery' });
    ff.track('booking_started');
  });
  await collector.waitFor((c) => c.events().length >= 3, 5000, '3 events');
  const events = collector.events();
  assert.equal(events.length, 3);
  assert.deepEqual(events.map((e) => e.event), ['quote_requested', 'price_checked', 'booking_started']);
  const request = collector.requests.find((r) => r.status === 200);
  assert.equal(request.contentType, 'text/plain;charset=UTF-8');
  assert.equal(request.body.writeKey, 'WK');
  assert.match(request.body.sentAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.equal(new Set(events.map((e) => e.messageId)).size, 3, 'distinct messageIds');
  for (const e of events) assert.match(e.messageId, uuid);
  const anonymousId = await page.evaluate(() => ff.anonymousId());
  assert.match(anonymousId, uuid);
  assert.ok(events.every((e) => e.anonymousId === anonymousId), 'same anonymousId');
  assert.equal(await page.evaluate(() => localStorage.getItem('footfall.aid')), anonymousId);

  const [first] = events;
  assert.equal(first.type, 'track');
  assert.deepEqual(first.properties, { service: 'iphone_screen', price: 129 });
  assert.ok(!('userId' in first), 'empty userId omitted');
  assert.ok(Math.abs(Date.parse(first.timestamp) - Date.now()) < 60_000);
  const c = first.context;
  assert.equal(c.library.name, 'footfall');
  assert.match(c.library.version, /^\d+\.\d+\.\d+/);
  assert.equal(c.page.path, '/tests/e2e/pages/basic.html');
  assert.equal(c.page.url, collector.origin + testPage({ flushAt: 3 }));
  assert.equal(c.page.title, 'footfall test page');
  assert.match(c.userAgent, /Chrome/);
  assert.ok(c.locale.length >= 2);
  assert.ok(c.timezone.length >= 1);
  assert.ok(c.screen.width > 0 && c.screen.height > 0 && c.screen.density > 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('200 events tracked, then the page navigated away at once: all 200 arrive', async () => {
  const context = await fresh();
  const { page, errors } = await open(context, collector.origin, testPage());
  await page.waitForFunction(() => window.ffReady);
  await page.evaluate(() => {
    for (let i = 0; i < 200; i++) ff.trackEvent('burst', { i, label: 'event number ' + i });
    location.href = '/tests/e2e/pages/blank.html';
  });
  await page.waitForURL('**/blank.html');
  await collector.waitFor((c) => c.deliveries().size >= 200, 5000, '200 events').catch(() => {});
  const deliveries = collector.deliveries();
  const indexes = collector.events().map((e) => e.properties.i).sort((a, b) => a - b);
  assert.equal(deliveries.size, 200, `delivered ${deliveries.size}/200 via ${collector.requests.map((r) => r.via + ':' + r.body?.batch?.length)}`);
  assert.ok([...deliveries.values()].every((n) => n === 1), 'no duplicates');
  assert.deepEqual(indexes, [...Array(200).keys()]);
  for (const e of collector.events()) {
    assert.equal(e.context.library.name, 'footfall', 'full context, even in the compact form');
    assert.equal(e.context.page.path, '/tests/e2e/pages/basic.html');
  }
  const bytes = collector.requests.reduce((n, r) => n + r.raw.length, 0);
  assert.ok(bytes <= 64 * 1024 + 4 * 48_000, `${bytes} bytes`);
  assert.deepEqual(errors, []);
  await context.close();
});

// Closing a tab mid-burst, in three engines and three ways: unload.test.mjs.

test('bad input never reaches the page as an exception; valid events around it arrive', async () => {
  const context = await fresh();
  const { page, errors, console: logs } = await open(context, collector.origin, testPage({ debug: true, flushAt: 100 }));
  await page.waitForFunction(() => window.ffReady);
  const result = await page.evaluate(async () => {
    const thrown = [];
    const attempt = (f) => {
      try {
        f();
      } catch (e) {
        thrown.push(String(e));
      }
    };
    const cyclic = { a: 1 };
    cyclic.self = cyclic;
    const manyKeys = {};
    for (let i = 0; i < 10_000; i++) manyKeys['key_' + i] = i;
    attempt(() => ff.trackEvent('before', { ok: true }));
    attempt(() => ff.trackEvent(42, { not: 'a string name' }));
    attempt(() => ff.trackEvent({ name: 'object' }));
    attempt(() => ff.trackEvent('cyclic', cyclic));
    attempt(() => ff.trackEvent('bigint', { n: 10n }));
    attempt(() => ff.trackEvent('function', () => 1));
    attempt(() => ff.trackEvent('huge_string', { text: 'x'.repeat(1_000_000) }));
    attempt(() => ff.trackEvent('many_keys', manyKeys));
    attempt(() => ff.trackEvent());
    attempt(() => ff.page(Symbol('x')));
    attempt(() => ff.identify(() => 1));
    attempt(() => ff.trackEvent('after', { ok: true }));
    await ff.flush();
    return { thrown, stats: ff.stats() };
  });
  assert.deepEqual(result.thrown, []);
  assert.deepEqual(errors, []);
  assert.equal(result.stats.invalid, 9, JSON.stringify(result.stats));
  assert.equal(result.stats.truncated, 1);
  const names = collector.events().map((e) => e.event ?? e.type);
  assert.deepEqual(names, ['before', 'huge_string', 'after']);
  const huge = collector.events().find((e) => e.event === 'huge_string');
  assert.equal(huge.properties.text.length, 1024, 'truncated to privacy.maxStringLength');
  const warnings = logs.filter((l) => l.type === 'warning' && l.text.startsWith('footfall:')).map((l) => l.text);
  assert.ok(warnings.some((w) => w.includes('cyclic object, BigInt')), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('the name must be a string')), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('larger than maxBatchBytes')), warnings.join('\n'));
  assert.ok(warnings.some((w) => w.includes('truncated')), warnings.join('\n'));
  await context.close();
});

test('init rejects invalid options with a clear message', async () => {
  const context = await fresh();
  const { page } = await open(context, collector.origin, '/tests/e2e/pages/blank.html');
  const messages = await page.evaluate(async () => {
    const { init } = await import('/dist/footfall.mjs');
    const out = [];
    for (const opts of [undefined, {}, { endpoint: 'not a url' }, { endpoint: '/c', flushAt: 'many' }]) {
      try {
        await init(opts);
        out.push('resolved');
      } catch (e) {
        out.push(e instanceof Error ? e.message : 'not an Error: ' + e);
      }
    }
    return out;
  });
  assert.match(messages[0], /expects an object/);
  assert.match(messages[1], /`endpoint` is required/);
  assert.match(messages[2], /`endpoint` must be an http\(s\) URL/);
  assert.match(messages[3], /option `flushAt` must be a number/);
  await context.close();
});

test("compression: 'gzip' sends smaller bodies, announced in the URL, that the collector gunzips", async () => {
  const sizes = {};
  for (const compression of ['none', 'gzip']) {
    const context = await fresh();
    const { page, errors } = await open(context, collector.origin, testPage({ flushAt: 20, compression }));
    await page.waitForFunction(() => window.ffReady);
    await page.evaluate(() => {
      for (let i = 0; i < 20; i++) ff.trackEvent('compressed', { i, service: 'iphone_screen' });
    });
    await collector.waitFor((c) => c.events().length >= 20, 5000, '20 events');
    assert.ok(collector.requests.every((r) => r.gzip === (compression === 'gzip')));
    assert.equal(collector.events().length, 20);
    // Every request's bytes as sent, and once gunzipped (`raw`), per event.
    const sum = (f) => collector.requests.reduce((n, r) => n + f(r), 0);
    sizes[compression] = sum((r) => r.wireBytes) / 20;
    if (compression === 'gzip') sizes.gunzipped = sum((r) => Buffer.byteLength(r.raw)) / 20;
    assert.deepEqual(errors, []);
    await context.close();
  }
  assert.ok(sizes.gzip < sizes.gunzipped * 0.5, `bytes per event: ${sizes.gzip} gzip, ${sizes.gunzipped} gunzipped`);
  assert.ok(sizes.gzip < sizes.none, `bytes per event: ${sizes.gzip} gzip vs ${sizes.none} without`);
});

test('page() reads the location at call time, and its properties override page fields without duplicate keys', async () => {
  const context = await fresh();
  const { page } = await open(context, collector.origin, testPage({ flushAt: 1 }));
  await page.waitForFunction(() => window.ffReady);
  await page.evaluate(() => {
    history.pushState({}, '', '/book/details?step=2');
    document.title = 'Details';
    ff.page();
    ff.page({ path: '/custom' });
  });
  await collector.waitFor((c) => c.events().length >= 2, 5000, 'two page events');
  const [first, second] = collector.events();
  assert.equal(first.properties.path, '/book/details');
  assert.equal(first.properties.search, '?step=2');
  assert.equal(first.properties.title, 'Details');
  assert.equal(first.context.page.path, '/book/details');
  const raw = collector.requests.find((r) => r.body.batch.some((e) => e.properties.path === '/custom')).raw;
  const properties = raw.slice(raw.indexOf('"properties":'), raw.indexOf('"messageId"'));
  assert.equal(properties.match(/"path"/g).length, 1, properties);
  assert.equal(second.properties.path, '/custom');
  await context.close();
});
