// `autocapture: { errors: true }`: uncaught errors and unhandled rejections
// as `error` events, each once per page view with its count in the page
// view's `page_leave`, at most 10 per page view; extensions' errors
// ignored; the page's own handlers called as without footfall. In
// Chromium, Firefox and WebKit.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { forEachEngine, serve, sleep } from './harness.mjs';

/** A page that starts footfall with `options`, then runs `script`. */
const page = (options, script) => ({
  type: 'text/html; charset=utf-8',
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Errors</title>
<script>
  // The page's own handlers, set before footfall.
  window.seen = { onerror: 0, listener: 0, rejections: 0 };
  window.onerror = function () { seen.onerror++; return false; };
  addEventListener('error', function () { seen.listener++; });
  addEventListener('unhandledrejection', function () { seen.rejections++; });
</script></head><body>
<script type="module">
import { init } from '/dist/footfall.mjs';
window.ff = await init(${JSON.stringify({ endpoint: '/collect', flushAt: 1, ...options })});
${script}
</script></body></html>`,
});

/** Throws `message` from one place of the page, uncaught, `times` times (one task each). */
const THROWS = `
function fail(message) { throw new Error(message); }
window.throwLater = (message, times) => new Promise((resolve) => {
  let left = times;
  const next = () => {
    if (left-- === 0) return resolve();
    setTimeout(() => { setTimeout(next, 0); fail(message); }, 0);
  };
  next();
});`;

forEachEngine((get) => {
  beforeEach(() => get().collector.reset());

  test('each error once per page view, counted in page_leave; at most 10; extensions ignored; the page sees every error as before', async () => {
    const { browser, collector } = get();
    serve(collector, '/errors/page.html', page({ autocapture: { errors: true } }, `${THROWS}
await throwLater('boom', 3);
Promise.reject(new Error('nope'));
await new Promise((r) => setTimeout(r, 50));
// An extension's error (as a content script would raise it).
dispatchEvent(new ErrorEvent('error', { message: 'ext failed', filename: 'chrome-extension://abcdef/content.js', lineno: 1 }));
for (let n = 0; n < 12; n++) await throwLater('distinct ' + n, 1);
window.done = true;`));
    serve(collector, '/errors/next.html', page({}, 'window.done = true;'));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/errors/page.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await collector.waitFor((c) => c.events().filter((e) => e.event === 'error').length >= 10, 10_000, 'ten error events');
    const seen = await p.evaluate(() => window.seen);
    // The page's handlers: every uncaught error (3 + 12 thrown, 1 dispatched) and the rejection.
    assert.deepEqual(seen, { onerror: 16, listener: 16, rejections: 1 });
    await p.goto(collector.origin + '/errors/next.html'); // the page view ends: page_leave
    await collector.waitFor((c) => c.events().some((e) => e.event === 'page_leave' && e.context.page.path === '/errors/page.html'), 10_000, 'page_leave');
    await sleep(300);
    const errors = collector.events().filter((e) => e.event === 'error');
    assert.equal(errors.length, 10, 'at most 10 per page view');
    const boom = errors.filter((e) => e.properties.message.includes('boom'));
    assert.equal(boom.length, 1, 'the same error once');
    assert.equal(boom[0].properties.kind, 'error');
    assert.equal(boom[0].properties.source, collector.origin + '/errors/page.html');
    assert.ok(boom[0].properties.line > 0 && boom[0].properties.column > 0, JSON.stringify(boom[0].properties));
    assert.ok(boom[0].properties.stack.includes('fail'), boom[0].properties.stack);
    const nope = errors.filter((e) => e.properties.message.includes('nope'));
    assert.equal(nope.length, 1);
    assert.equal(nope[0].properties.kind, 'unhandledrejection');
    assert.ok(!errors.some((e) => e.properties.message.includes('ext failed')), 'extension errors ignored');
    const leave = collector.events().find((e) => e.event === 'page_leave' && e.context.page.path === '/errors/page.html');
    const counted = Object.fromEntries(leave.properties.errors.map((x) => [x.message.replace(/^Uncaught /, ''), x.count]));
    assert.equal(counted['Error: boom'], 3, JSON.stringify(leave.properties.errors));
    assert.equal(leave.properties.errors.length, 14, 'boom, nope and 12 distinct, each counted');
    assert.deepEqual(await p.errors(), [], 'the next page is clean');
    await context.close();
  });

  test('without autocapture.errors, nothing is recorded and the page is untouched', async () => {
    const { browser, collector } = get();
    serve(collector, '/errors/off.html', page({}, `${THROWS}
await throwLater('boom', 2);
await ff.flush();
window.done = true;`));
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + '/errors/off.html');
    await p.waitForFunction(() => window.done, undefined, 20_000);
    await sleep(300);
    assert.equal(collector.events().filter((e) => e.event === 'error').length, 0);
    assert.deepEqual(await p.evaluate(() => window.seen), { onerror: 2, listener: 2, rejections: 0 });
    await context.close();
  });
});
