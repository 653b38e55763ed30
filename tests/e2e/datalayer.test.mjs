// The Google Tag Manager dataLayer bridge: forwarding exactly once whatever
// the load order, filtering, mirroring, and never breaking the page or GTM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, sleep } from './harness.mjs';

let collector;
let browser;

useBrowser((c, b) => ([collector, browser] = [c, b]));

/** Opens tests/e2e/pages/datalayer.html with footfall options and GTM's place. */
async function openPage({ opts = {}, gtm = '' } = {}) {
  collector.reset();
  const context = await browser.newContext();
  const url = `/tests/e2e/pages/datalayer.html?gtm=${gtm}&opts=${encodeURIComponent(JSON.stringify(opts))}`;
  const opened = await open(context, collector.origin, url);
  await opened.page.waitForFunction(() => window.ffReady);
  return { ...opened, context };
}

/** Tracked event names at the collector, with how many times each arrived. */
function counts() {
  const n = {};
  for (const e of collector.events()) if (e.type === 'track') n[e.event] = (n[e.event] ?? 0) + 1;
  return n;
}

/** Waits until `names` all arrived, then a little more (for duplicates). */
async function arrived(names) {
  await collector.waitFor(() => names.every((name) => counts()[name]), 5000, names.join(', '));
  await sleep(300);
}

for (const gtm of ['', 'before', 'after']) {
  const where = { '': 'without GTM', before: 'GTM loaded before footfall', after: 'GTM loaded after footfall' }[gtm];
  test(`${where}: pushes before and after init are forwarded exactly once, and GTM processes each once`, async () => {
    const { page, errors, context } = await openPage({ gtm });
    const pushed = await page.evaluate(() => {
      const lengthBefore = dataLayer.length;
      const result = dataLayer.push({ event: 'after_init', n: 3 });
      dataLayer.push({ event: 'multi_a' }, { event: 'multi_b', v: [1, 2] });
      return { result, lengthBefore, length: dataLayer.length };
    });
    assert.equal(pushed.result, pushed.lengthBefore + 1, "push returns what the wrapped push returns (the array's length)");
    assert.equal(pushed.length, pushed.lengthBefore + 3);
    await arrived(['before_init', 'also_before', 'after_init', 'multi_a', 'multi_b']);
    assert.deepEqual(counts(), { before_init: 1, also_before: 1, after_init: 1, multi_a: 1, multi_b: 1 });
    const events = collector.events();
    assert.deepEqual(events.find((e) => e.event === 'before_init').properties, { step: 1 });
    assert.deepEqual(events.find((e) => e.event === 'after_init').properties, { n: 3 });
    assert.deepEqual(events.find((e) => e.event === 'multi_b').properties, { v: [1, 2] });
    if (gtm) {
      const processed = await page.evaluate(() => gtm.processed.map((e) => e.event ?? (e && 'ecommerce' in e ? 'ecommerce' : typeof e)));
      for (const name of ['gtm.js', 'before_init', 'also_before', 'ecommerce', 'gtm.load', 'after_init', 'multi_a', 'multi_b']) {
        assert.equal(processed.filter((e) => e === name).length, 1, `GTM processed ${name} once: ${processed}`);
      }
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a push replaced again by GTM after footfall, and by a second footfall, still forwards once', async () => {
  const { page, errors, context } = await openPage({ gtm: 'after' });
  await page.evaluate(async () => {
    // A second container (or a second copy of GTM) wraps again.
    await new Promise((r) => {
      const s = document.createElement('script');
      s.src = 'fake-gtm.js?again';
      s.onload = r;
      document.head.append(s);
    });
    // And a second footfall on the same page.
    const { init } = await import('/dist/footfall.mjs');
    window.ff2 = await init({ endpoint: '/collect', flushAt: 1, dataLayer: true });
    dataLayer.push({ event: 'once_only' });
  });
  await arrived(['once_only']);
  assert.equal(counts().once_only, 1);
  assert.equal(counts().before_init, 1, 'the second footfall does not replay what the first forwarded');
  assert.deepEqual(errors, []);
  await context.close();
});

test('functions, DOM nodes, cyclic values and throwing getters are left out, never thrown', async () => {
  const { page, errors, context } = await openPage({ gtm: 'before' });
  const thrown = await page.evaluate(() => {
    const cyclic = { name: 'c' };
    cyclic.self = cyclic;
    const entry = {
      event: 'odd_values',
      ok: 1,
      text: 'x',
      nested: { a: [1, { b: null }] },
      fn() {},
      el: document.body,
      win: window,
      cyclic,
      big: 10n,
      eventCallback() {},
      eventTimeout: 2000,
      'gtm.element': document.body,
      get boom() {
        throw new Error('getter');
      },
    };
    const thrown = [];
    for (const push of [
      () => dataLayer.push(entry),
      () => dataLayer.push(function () {}),
      () => dataLayer.push(['set', 'x']),
      () => dataLayer.push(null, 42, 'text', undefined),
      () => (function () { dataLayer.push(arguments); })('event', 'gtag_style', {}),
      () => dataLayer.push({ event: 42 }),
      () => dataLayer.push({ event: '' }),
      () => dataLayer.push({ event: 'gtm.linkClick', 'gtm.element': document.body }),
      () => dataLayer.push(new Proxy({}, { ownKeys() { throw new Error('keys'); }, get(t, k) { return k === 'event' ? 'proxied' : undefined; } })),
    ]) {
      try {
        push();
      } catch (e) {
        thrown.push(String(e));
      }
    }
    dataLayer.push({ event: 'last' });
    return thrown;
  });
  assert.deepEqual(thrown, []);
  await arrived(['odd_values', 'last']);
  const odd = collector.events().find((e) => e.event === 'odd_values');
  assert.deepEqual(odd.properties, { ok: 1, text: 'x', nested: { a: [1, { b: null }] } });
  assert.deepEqual(counts(), { before_init: 1, also_before: 1, odd_values: 1, last: 1 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('allow and deny lists choose the forwarded events', async () => {
  const { page, errors, context } = await openPage({
    opts: { dataLayer: { forward: { allow: ['purchase', 'checkout_*'], deny: ['checkout_debug'] } } },
  });
  await page.evaluate(() => {
    for (const event of ['purchase', 'checkout_step', 'checkout_debug', 'view_item', 'checkout']) dataLayer.push({ event });
    dataLayer.push({ event: 'purchase', last: true });
  });
  await collector.waitFor(() => counts().purchase === 2, 5000, 'two purchases');
  await sleep(300);
  assert.deepEqual(counts(), { purchase: 2, checkout_step: 1 });
  assert.deepEqual(errors, []);
  await context.close();
});

const pageViews = { autocapture: { pageViews: true, history: true } };

test('mirror: automatic events are pushed as footfall.<name>, processed by GTM, never forwarded back', async () => {
  const { page, errors, context } = await openPage({ gtm: 'after', opts: pageViews });
  await page.evaluate(async () => {
    history.pushState({}, '', '/tests/e2e/pages/datalayer.html?step=2');
    ff.page('Manual', { plan: 'pro' }); // the site's own call: not mirrored
    await ff.flush();
  });
  const mirrored = await page.evaluate(() => dataLayer.filter((e) => String(e.event).startsWith('footfall.')));
  // The first page view, the route change's page leave, the second page view.
  assert.deepEqual(mirrored.map((e) => e.event), ['footfall.page_view', 'footfall.page_leave', 'footfall.page_view']);
  assert.equal(mirrored[2].search, '?step=2');
  assert.equal(typeof mirrored[1].engaged_ms, 'number', 'with the event\'s properties');
  const [first] = mirrored;
  assert.equal(first.path, '/tests/e2e/pages/datalayer.html');
  assert.equal(first.title, 'dataLayer page');
  assert.ok(first.url.startsWith(collector.origin));
  const processed = await page.evaluate(() => gtm.processed.filter((e) => e.event === 'footfall.page_view').length);
  assert.equal(processed, 2, 'GTM processed each mirrored push once (the first from the array, the second through its push)');
  await sleep(300);
  assert.ok(!Object.keys(counts()).some((n) => n.startsWith('footfall.')), 'footfall.* is never forwarded');
  assert.equal(collector.events().filter((e) => e.type === 'page').length, 3);
  assert.deepEqual(errors, []);
  await context.close();

  // mirror off: nothing pushed; a dataLayer name of one's own.
  const off = await openPage({ opts: { ...pageViews, dataLayer: { forward: true, mirror: false } } });
  assert.equal(await off.page.evaluate(() => dataLayer.some((e) => String(e.event).startsWith('footfall.'))), false);
  await off.context.close();
  const named = await openPage({ opts: { ...pageViews, dataLayer: { name: 'shopLayer', forward: true, mirror: true } } });
  await named.page.evaluate(() => {
    shopLayer.push({ event: 'on_shop_layer' });
    dataLayer.push({ event: 'on_default_layer' });
  });
  await arrived(['on_shop_layer']);
  assert.deepEqual(counts(), { on_shop_layer: 1 });
  assert.equal(await named.page.evaluate(() => shopLayer.filter((e) => e.event === 'footfall.page_view').length), 1);
  assert.equal(await named.page.evaluate(() => dataLayer.some((e) => String(e.event).startsWith('footfall.'))), false);
  await named.context.close();
});

test('shutdown stops forwarding and puts the previous push back; a later footfall forwards only what is new', async () => {
  const { page, errors, context } = await openPage();
  await arrived(['before_init', 'also_before']);
  const restored = await page.evaluate(() => {
    ff.shutdown();
    dataLayer.push({ event: 'after_shutdown' });
    return dataLayer.push === Array.prototype.push;
  });
  assert.equal(restored, true);
  await page.evaluate(async () => {
    const { init } = await import('/dist/footfall.mjs');
    window.ff2 = await init({ endpoint: '/collect', flushAt: 1, dataLayer: true });
    dataLayer.push({ event: 'with_second' });
  });
  await arrived(['with_second']);
  // What was pushed while no footfall ran is new to the second one: forwarded once.
  assert.deepEqual(counts(), { before_init: 1, also_before: 1, after_shutdown: 1, with_second: 1 });
  assert.deepEqual(errors, []);
  await context.close();

  // Shut down under GTM's wrapper: the wrapper stays in GTM's chain and passes pushes through.
  const wrapped = await openPage({ gtm: 'after' });
  await arrived(['before_init']);
  const after = await wrapped.page.evaluate(() => {
    ff.shutdown();
    const n = gtm.processed.length;
    dataLayer.push({ event: 'still_processed' });
    return gtm.processed.length - n;
  });
  assert.equal(after, 1, 'GTM still processes pushes');
  await sleep(300);
  assert.equal(counts().still_processed, undefined);
  assert.deepEqual(wrapped.errors, []);
  await wrapped.context.close();
});

test('init rejects a dataLayer option of the wrong type, naming it', async () => {
  const { page, context } = await openPage();
  const messages = await page.evaluate(async () => {
    const { init } = await import('/dist/footfall.mjs');
    const out = [];
    // An endpoint of its own each: the page's client has '/collect' (one client per endpoint).
    const cases = ['yes', { name: 1 }, { forward: 'all' }, { forward: { allow: 'purchase' } }, { forward: { deny: [1] } }, { mirror: 'no' }];
    for (const [i, dataLayer] of cases.entries()) {
      out.push(await init({ endpoint: '/collect?case=' + i, dataLayer }).then(() => 'resolved', (e) => e.message));
    }
    return out;
  });
  assert.deepEqual(messages, [
    'footfall: option `dataLayer` must be a boolean or an object',
    'footfall: option `name` must be a string',
    'footfall: option `forward` must be a boolean or an object',
    'footfall: option `allow` must be an array of strings',
    'footfall: option `deny` must be an array of strings',
    'footfall: option `mirror` must be a boolean',
  ]);
  await context.close();
});

test("consentMode alone forwards nothing; with forwarding on, Consent Mode's gtag pushes are not forwarded", async () => {
  const consentOnly = await openPage({ opts: { dataLayer: { consentMode: true } } });
  await consentOnly.page.evaluate(() => dataLayer.push({ event: 'not_forwarded' }));
  await sleep(500);
  assert.deepEqual(counts(), {});
  const commands = await consentOnly.page.evaluate(() => dataLayer.filter((e) => e && e[0] === 'consent').map((e) => e[1]));
  assert.deepEqual(commands, ['default']);
  await consentOnly.context.close();

  const both = await openPage({ gtm: 'after', opts: { dataLayer: { consentMode: true, forward: true } } });
  await both.page.evaluate(() => {
    ff.setConsent({ analytics: true, marketing: false });
    dataLayer.push({ event: 'after_consent' });
  });
  await arrived(['after_consent']);
  assert.deepEqual(counts(), { before_init: 1, also_before: 1, consent_updated: 1, after_consent: 1 });
  const gtmSaw = await both.page.evaluate(() => gtm.processed.filter((e) => e && e[0] === 'consent').map((e) => e[1]));
  assert.deepEqual(gtmSaw, ['default', 'update'], 'GTM processed each Consent Mode command once');
  assert.deepEqual(both.errors, []);
  await both.context.close();
});
