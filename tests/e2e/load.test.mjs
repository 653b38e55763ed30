// `load(options)`: a client at once, calls before ready replayed with their
// page and time, one client per endpoint (React StrictMode runs effects
// twice), nothing done outside a browser. In Chromium, Firefox and WebKit;
// the server-rendering case in Node.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, serve, readmeBlock, root } from './harness.mjs';

const page = (script) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>load</title></head><body>
<script type="module">${script}</script></body></html>`,
});

forEachEngine((get) => {
  beforeEach(() => get().collector.reset());

  test('the README load block: the client at once, calls before ready replayed in order with their page and time', async () => {
    const { browser, collector } = get();
    const block = (await readmeBlock('js', "import { load } from 'footfall-analytics'"))
      .replace("from 'footfall-analytics'", "from '/dist/footfall.mjs'")
      .replace("'https://collect.example.com/v1/batch'", "'/collect'");
    serve(collector, '/load/readme.html', page(`window.t0 = Date.now();
${block}
window.ffReady = true;`));
    // The same, with more calls before ready: one on another route.
    serve(collector, '/load/early.html', page(`import { load } from '/dist/footfall.mjs';
const ff = load({ endpoint: '/collect', autocapture: false });
window.before = typeof ff.trackEvent + typeof ff.ready;
window.t0 = Date.now();
ff.trackEvent('early_1', { n: 1 });
history.pushState({}, '', '/load/route?x=1');
ff.page('Route');
ff.trackEvent('early_2', { n: 2 });
ff.identify('u1');
window.t1 = Date.now();
// flush() before ready: a promise settled once those calls were answered.
await ff.flush();
window.flushedAt = Date.now();
await ff.ready();
ff.trackEvent('after_ready', { n: 3 });
window.stats = ff.stats();
await ff.flush();
window.ffReady = true;`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/load/readme.html');
    await p.waitForFunction(() => window.ffReady, undefined, 30_000);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'app_opened'), 10_000, 'the README block\'s event');
    await p.goto(collector.origin + '/load/early.html');
    await p.waitForFunction(() => window.ffReady, undefined, 30_000);
    const { before, t0, t1, stats, flushedAt } = await p.evaluate(() => ({ before: window.before, t0: window.t0, t1: window.t1, stats: window.stats, flushedAt: window.flushedAt }));
    assert.equal(before, 'functionfunction');
    await collector.waitFor((c) => c.events().some((e) => e.event === 'after_ready'), 10_000, 'the events');
    const mine = collector.events().filter((e) => e.context.page.path !== '/load/readme.html');
    assert.deepEqual(
      mine.map((e) => e.event ?? e.type),
      ['early_1', 'page', 'early_2', 'identify', 'after_ready'],
      'in the order called',
    );
    const [e1, pv, e2, id] = mine;
    assert.equal(e1.context.page.path, '/load/early.html', 'the page it was called on');
    assert.equal(pv.context.page.path, '/load/route');
    assert.equal(e2.context.page.path, '/load/route');
    assert.equal(id.userId, 'u1');
    for (const e of [e1, pv, e2, id]) {
      const at = Date.parse(e.timestamp);
      assert.ok(at >= t0 && at <= t1, `${e.event ?? e.type} stamped when called: ${e.timestamp}`);
    }
    assert.equal(stats.invalid, 0);
    // The collector had the four early calls before flush() settled.
    const early = new Set([e1, pv, e2, id].map((e) => e.messageId));
    const carried = collector.requests.filter((r) => (r.body?.batch ?? []).some((e) => early.has(e.messageId)));
    assert.ok(carried.length > 0 && carried.every((r) => r.at <= flushedAt + 5), `answered before flush() settled: ${carried.map((r) => r.at - flushedAt)}`);
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('one client per endpoint: load twice and init (StrictMode) give the same client and one page view; after shutdown, a new one', async () => {
    const { browser, collector } = get();
    serve(collector, '/load/twice.html', page(`import { load, init } from '/dist/footfall.mjs';
const a = load({ endpoint: '/collect' });
const b = load({ endpoint: '/collect' });
const c = await init({ endpoint: '/collect' });
window.same = a === b && b === c;
await c.flush();
c.shutdown();
const d = await init({ endpoint: '/collect', autocapture: false });
window.fresh = d !== c;
d.trackEvent('after_shutdown');
await d.flush();
window.ffReady = true;`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/load/twice.html');
    await p.waitForFunction(() => window.ffReady, undefined, 30_000);
    assert.equal(await p.evaluate(() => window.same), true);
    assert.equal(await p.evaluate(() => window.fresh), true, 'a client shut down is done: init starts another');
    await collector.waitFor((c) => c.events().some((e) => e.event === 'after_shutdown'), 10_000, 'the new client\'s event');
    await collector.waitFor((c) => c.events().some((e) => e.type === 'page'), 10_000, 'the page view');
    await new Promise((r) => setTimeout(r, 500));
    const views = collector.events().filter((e) => e.type === 'page');
    assert.equal(views.length, 1, 'one page view, not one per load');
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('options footfall refuses: ready() rejects with the message, calls never throw, a later load tries again', async () => {
    const { browser, collector } = get();
    serve(collector, '/load/bad.html', page(`import { load } from '/dist/footfall.mjs';
const ff = load({ endpoint: 'not a url' });
ff.trackEvent('lost');
window.message = await ff.ready().then(() => 'resolved', (e) => e.message);
ff.trackEvent('still_nothing');
ff.flush();
const good = load({ endpoint: '/collect', autocapture: false });
good.trackEvent('good');
await good.ready();
await good.flush();
window.fresh = good !== ff;
window.ffReady = true;`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/load/bad.html');
    await p.waitForFunction(() => window.ffReady, undefined, 30_000);
    assert.match(await p.evaluate(() => window.message), /`endpoint` must be an http\(s\) URL/);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'good'), 10_000, 'the good client\'s event');
    assert.deepEqual(collector.events().map((e) => e.event), ['good']);
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });
});

forEachEngine((get) => {
  test("a wasm the bundler did not emit: init rejects naming the URL and the fix; with wasmUrl it loads", async () => {
    const { browser, collector } = get();
    // The entry and the glue it chooses, served where no wasm is.
    serve(collector, '/nowasm/footfall.mjs', { file: 'dist/footfall.mjs' });
    serve(collector, '/nowasm/footfall.attribution.mjs', { file: 'dist/footfall.attribution.mjs' });
    serve(collector, '/nowasm/page.html', page(`import { init } from '/nowasm/footfall.mjs';
const options = { endpoint: '/collect', autocapture: false };
window.message = await init(options).then(() => 'resolved', (e) => e.message);
const ff = await init({ ...options, wasmUrl: '/dist/' });
ff.trackEvent('wasm_found');
await ff.flush();
window.ffReady = true;`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/nowasm/page.html');
    await p.waitForFunction(() => window.ffReady, undefined, 30_000);
    const message = await p.evaluate(() => window.message);
    assert.match(message, /^footfall: could not fetch http:\/\/127\.0\.0\.1:\d+\/nowasm\/footfall\.attribution\.wasm \(HTTP 404\)/);
    assert.match(message, /wasmUrl/);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'wasm_found'), 10_000, 'the event, with wasmUrl');
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });
});

test('outside a browser (server rendering): load gives a client whose calls do nothing, init rejects saying why', async () => {
  const { load, init } = await import(`${root}/dist/footfall.mjs`);
  const ff = load({ endpoint: '/collect' });
  ff.trackEvent('on_the_server', { n: 1 });
  ff.page();
  assert.equal(ff.stats(), undefined);
  await assert.rejects(ff.ready(), /runs in the browser/);
  await assert.rejects(init({ endpoint: '/collect' }), /runs in the browser/);
});
