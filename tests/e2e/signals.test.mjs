// Behaviour signals with real input in headless Chromium: page views (SPA
// too), scroll depth, rage clicks, exit intent, page leave, declarative clicks.
// Each signal fires exactly as specified, and only then.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, open, testPage, sleep } from './harness.mjs';

let collector;
let browser;

useBrowser((c, b) => ([collector, browser] = [c, b]));

/** A fresh browser context (its own storage) and an empty collector. */
async function fresh(contextOptions = {}) {
  collector.requests.length = 0;
  collector.respond = null;
  return browser.newContext(contextOptions);
}

/** Opens the signals page (document `h` px tall) with footfall `options`. */
async function signalsPage(context, options = {}, h = 4000) {
  const opened = await open(context, collector.origin, testPage({ autocapture: true, ...options }, 'signals.html') + `&h=${h}`);
  await opened.page.waitForFunction(() => window.ffReady);
  return opened;
}

/** Flushes, then returns the events named `name` (or every event). */
async function events(page, name) {
  await page.evaluate(() => ff.flush());
  const all = collector.events();
  return name ? all.filter((e) => (e.event ?? e.type) === name) : all;
}

const names = (list) => list.map((e) => e.event ?? e.type);

/** Waits for the next `popstate` after `f()` runs in the page. */
async function historyStep(page, f) {
  await page.evaluate(
    (code) => new Promise((resolve) => {
      addEventListener('popstate', () => setTimeout(resolve, 0), { once: true });
      (0, eval)(code);
    }),
    f,
  );
}

/** Scrolls to `y` and waits for footfall's measurement (next frames). */
async function scrollTo(page, y) {
  await page.evaluate(async (y) => {
    window.scrollTo({ top: y, behavior: 'instant' });
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  }, y);
}

test('page views: one on load and one per real route change; replaceState keeping the path and repeats make none', async () => {
  const context = await fresh();
  const { page, errors } = await signalsPage(context, { autocapture: { pageLeave: false } });
  await page.evaluate(() => {
    history.pushState({}, '', '/spa/a');
    history.pushState({}, '', '/spa/a'); // the same again: none
    history.replaceState({}, '', '/spa/a?sort=price'); // query tweak: none
    history.replaceState({}, '', '/spa/b'); // another path: one
    history.pushState({}, '', '/spa/c');
    ff.trackEvent('on_c');
  });
  await historyStep(page, "location.hash = 'faq'"); // fragments ignored by default
  await historyStep(page, 'history.back()'); // /spa/c#faq -> /spa/c: same page
  await historyStep(page, 'history.back()'); // -> /spa/b
  await historyStep(page, 'history.back()'); // -> /spa/a
  const pages = await events(page, 'page');
  assert.deepEqual(
    pages.map((e) => e.properties.path),
    ['/tests/e2e/pages/signals.html', '/spa/a', '/spa/b', '/spa/c', '/spa/b', '/spa/a'],
  );
  for (const e of pages) {
    assert.equal(e.context.page.path, e.properties.path, 'the context is the new page');
    assert.equal(e.context.page.url, e.properties.url);
  }
  assert.equal(pages[2].properties.url, collector.origin + '/spa/b');
  const [onC] = await events(page, 'on_c');
  assert.equal(onC.context.page.path, '/spa/c');
  assert.equal(onC.context.page.title, 'footfall signals page');
  assert.deepEqual(errors, []);
  await context.close();
});

test('history.hashChange: a fragment navigation is one page view', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, { autocapture: { history: { hashChange: true }, pageLeave: false } });
  await historyStep(page, "location.hash = 'reviews'"); // popstate and hashchange: one
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  await historyStep(page, "location.hash = 'faq'");
  await page.evaluate(() => new Promise((r) => setTimeout(r, 50)));
  const pages = await events(page, 'page');
  assert.deepEqual(pages.map((e) => new URL(e.properties.url).hash), ['', '#reviews', '#faq']);
  await context.close();
});

test('a route change ends the page view: its rage_click and page_leave, then the next page', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context);
  for (let i = 0; i < 3; i++) await page.mouse.click(170, 100);
  await page.evaluate(() => history.pushState({}, '', '/spa/next'));
  const all = (await events(page)).filter((e) => e.type === 'page' || ['rage_click', 'page_leave'].includes(e.event));
  assert.deepEqual(names(all), ['page', 'rage_click', 'page_leave', 'page']);
  assert.deepEqual(all.map((e) => e.context.page.path), [
    '/tests/e2e/pages/signals.html', '/tests/e2e/pages/signals.html', '/tests/e2e/pages/signals.html', '/spa/next',
  ]);
  assert.equal(all[1].properties.clicks, 3);
  assert.equal(typeof all[2].properties.engaged_ms, 'number');
  await context.close();
});

test('scroll depth: each milestone once, from real scrolling, none on load', async () => {
  const context = await fresh();
  const { page, errors } = await signalsPage(context, {}, 4000); // viewport 720
  await sleep(300);
  assert.deepEqual(await events(page, 'scroll_depth'), [], 'nothing before a scroll');
  await page.mouse.move(640, 400);
  await page.mouse.wheel(0, 400); // (400 + 720) / 4000 = 28 %
  await page.waitForFunction(() => scrollY >= 400);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  assert.deepEqual((await events(page, 'scroll_depth')).map((e) => e.properties.percent), [25]);
  await scrollTo(page, 1300); // 50.5 %
  await scrollTo(page, 4000); // the bottom: 75, 90, 100 at once
  await scrollTo(page, 0);
  await scrollTo(page, 4000); // again: nothing new
  const percents = (await events(page, 'scroll_depth')).map((e) => e.properties.percent);
  assert.deepEqual(percents, [25, 50, 75, 90, 100]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('scroll depth follows a growing document', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, {}, 2000);
  await scrollTo(page, 280); // (280 + 720) / 2000 = 50 %
  await page.evaluate(() => (document.getElementById('content').style.height = '4000px'));
  await scrollTo(page, 1300); // (1300 + 720) / 4000 = 50.5 %: nothing new, though 65 % of the old page
  await scrollTo(page, 2280); // 75 %
  assert.deepEqual((await events(page, 'scroll_depth')).map((e) => e.properties.percent), [25, 50, 75]);
  await context.close();
});

test('a page shorter than the viewport: no scroll_depth burst unless shortPages', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, {}, 300);
  await sleep(300);
  await page.mouse.move(640, 400);
  await page.mouse.wheel(0, 300);
  await sleep(200);
  assert.deepEqual(await events(page, 'scroll_depth'), []);
  await page.close();
  const short = await signalsPage(context, { autocapture: { scrollDepth: { shortPages: true, milestones: [50, 100] } } }, 300);
  await sleep(300);
  assert.deepEqual((await events(short.page, 'scroll_depth')).map((e) => e.properties.percent), [50, 100]);
  await context.close();
});

test('rage clicks: one event per fast burst with the final count; slow or drifting clicks make none', async () => {
  const context = await fresh();
  const { page, errors } = await signalsPage(context);
  for (let i = 0; i < 5; i++) await page.mouse.click(170, 100); // on #buy
  await sleep(1300); // the burst ends 1 s after its last click
  let rage = await events(page, 'rage_click');
  assert.equal(rage.length, 1);
  assert.deepEqual(rage[0].properties, { clicks: 5, x: 170, y: 100, selector: 'button#buy', text: 'Buy now' });

  for (let i = 0; i < 3; i++) {
    await page.mouse.click(560, 100); // three slow clicks on #untagged
    await sleep(700);
  }
  for (const x of [100, 125, 150, 175, 200]) await page.mouse.click(x, 300); // drifting 25 px each
  await sleep(1300);
  rage = await events(page, 'rage_click');
  assert.equal(rage.length, 1, 'still only the first burst');
  assert.deepEqual(errors, []);
  await context.close();
});

test('rage clicks on a disabled button count (it swallows clicks, not presses)', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context);
  for (let i = 0; i < 4; i++) await page.mouse.click(770, 100); // on #soldout
  await sleep(1300);
  const rage = await events(page, 'rage_click');
  assert.equal(rage.length, 1);
  assert.deepEqual(rage[0].properties, { clicks: 4, x: 770, y: 100, selector: 'button#soldout', text: 'Sold out' });
  await context.close();
});

test('declarative clicks: data-ff-event names the event, data-ff-prop-* are its properties', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, { autocapture: { rageClick: false } });
  await page.click('#price-label'); // a child of the tagged button
  await page.click('#untagged');
  await page.focus('#price');
  await page.keyboard.press('Enter'); // keyboard activation is a click too
  const clicked = (await events(page)).filter((e) => e.type === 'track');
  assert.deepEqual(names(clicked), ['price_checked', 'price_checked']);
  assert.deepEqual(clicked[0].properties, { service: 'battery', 'price-band': 'mid' });
  await page.close();
  await sleep(200);
  collector.requests.length = 0;

  const off = await signalsPage(context, { autocapture: { clicks: false } });
  await off.page.click('#price-label');
  assert.deepEqual(await events(off.page, 'price_checked'), []);
  await context.close();
});

test('exit intent: through the top after the dwell, once per page view, and onExitIntent callbacks', async () => {
  const context = await fresh();
  const { page, errors } = await signalsPage(context);
  await page.evaluate(() => {
    window.afterThrow = [];
    ff.onExitIntent(() => {
      throw new Error('the offer modal failed');
    });
    ff.onExitIntent((d) => window.afterThrow.push(d));
  });
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5); // too early (default minDwellMs 2000)
  assert.deepEqual(await events(page, 'exit_intent'), []);
  await sleep(2100);
  await page.mouse.move(640, 300);
  await page.mouse.move(-5, 300); // through the left side: not an exit intent
  await page.mouse.move(640, 300);
  await page.mouse.move(640, 800); // through the bottom: not either
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5, { steps: 4 }); // through the top
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5); // again: once per page view
  const exits = await events(page, 'exit_intent');
  assert.equal(exits.length, 1);
  assert.ok(exits[0].properties.dwell_ms >= 2000 && exits[0].properties.dwell_ms < 10_000, JSON.stringify(exits[0]));
  assert.equal(exits[0].properties.max_scroll_percent, 18); // 720 / 4000
  const seen = await page.evaluate(() => [window.exits, window.afterThrow]);
  assert.deepEqual(seen[0], [{ dwellMs: exits[0].properties.dwell_ms, maxScrollPercent: 18 }]);
  assert.deepEqual(seen[1], seen[0], 'a throwing callback does not stop the next one');
  assert.deepEqual(errors, [], 'nor reaches the page');

  // A new page view (route change) re-arms it, with its own dwell.
  await page.evaluate(() => history.pushState({}, '', '/spa/offer'));
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5);
  assert.equal((await events(page, 'exit_intent')).length, 1, 'the new page view has its own dwell');
  await sleep(2100);
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5);
  const again = await events(page, 'exit_intent');
  assert.equal(again.length, 2);
  assert.equal(again[1].context.page.path, '/spa/offer');
  await context.close();
});

test('exit intent cooldown spans page views', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, { autocapture: { exitIntent: { minDwellMs: 0, cooldownMs: 60_000 } } });
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5);
  await page.evaluate(() => history.pushState({}, '', '/spa/next'));
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5);
  assert.equal((await events(page, 'exit_intent')).length, 1);
  await context.close();
});

test('exit intent on touch devices: a fast scroll up into the first screen, or hidden without one', async () => {
  const context = await fresh({ hasTouch: true, isMobile: true, viewport: { width: 400, height: 700 } });
  const { page } = await signalsPage(context, { autocapture: { exitIntent: { minDwellMs: 500 } } });
  await scrollTo(page, 2000); // reads more than a screen
  await sleep(600);
  // Up but not into the first screen, then a fling up into it, two frames
  // later (each measured: a real fling scrolls every frame).
  await page.evaluate(async () => {
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    window.scrollTo({ top: 1500, behavior: 'instant' });
    await frame();
    await frame();
    window.scrollTo({ top: 100, behavior: 'instant' });
    await frame();
    await frame();
  });
  const exits = await events(page, 'exit_intent');
  assert.equal(exits.length, 1);
  assert.equal(exits[0].properties.max_scroll_percent, 67); // (2000 + 700) / 4000
  assert.equal((await page.evaluate(() => window.exits)).length, 1);
  await context.close();

  const hiddenContext = await fresh({ hasTouch: true, isMobile: true, viewport: { width: 400, height: 700 } });
  const second = await signalsPage(hiddenContext, { autocapture: { exitIntent: { minDwellMs: 500 } } });
  await sleep(600);
  await second.page.evaluate(() => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await collector.waitFor((c) => c.events().some((e) => e.event === 'page_leave'), 5000, 'page_leave');
  const hidden = collector.events().filter((e) => e.event === 'exit_intent' || e.event === 'page_leave');
  assert.deepEqual(names(hidden), ['exit_intent', 'page_leave'], 'hidden: exit intent, then page_leave');
  await hiddenContext.close();
});

test('page_leave arrives after navigating away, with engaged_ms and max_scroll_percent', async () => {
  const context = await fresh();
  const start = Date.now();
  const { page } = await signalsPage(context);
  for (let i = 0; i < 8; i++) {
    await page.mouse.move(300 + i * 10, 300);
    await sleep(150);
  }
  await scrollTo(page, 1280); // (1280 + 720) / 4000 = 50 %
  await page.evaluate(() => (location.href = '/tests/e2e/pages/blank.html'));
  await page.waitForURL('**/blank.html');
  const wall = Date.now() - start;
  await collector.waitFor((c) => c.events().some((e) => e.event === 'page_leave'), 5000, 'page_leave');
  const leaves = collector.events().filter((e) => e.event === 'page_leave');
  assert.equal(leaves.length, 1);
  const { engaged_ms, max_scroll_percent } = leaves[0].properties;
  assert.equal(max_scroll_percent, 50);
  assert.ok(engaged_ms >= 1000 && engaged_ms <= wall + 100, `engaged ${engaged_ms} of ${wall} ms`);
  assert.equal(leaves[0].context.page.path, '/tests/e2e/pages/signals.html');
  await context.close();
});

test('the history hook passes results and exceptions through, and shutdown restores it', async () => {
  const context = await fresh();
  const { page, errors } = await signalsPage(context);
  const result = await page.evaluate(async () => {
    const out = {};
    out.wrapped = history.pushState !== History.prototype.pushState;
    out.returned = history.pushState({ n: 1 }, '', '/spa/one');
    out.state = history.state;
    try {
      history.pushState({ f() {} }, '', '/spa/two'); // not cloneable
    } catch (e) {
      out.thrown = e.name;
    }
    out.path = location.pathname;
    await ff.flush();
    ff.shutdown();
    out.restored = history.pushState === History.prototype.pushState && history.replaceState === History.prototype.replaceState;
    history.pushState({}, '', '/spa/after-shutdown');
    window.scrollTo(0, 3000);
    return out;
  });
  assert.deepEqual(result, { wrapped: true, returned: undefined, state: { n: 1 }, thrown: 'DataCloneError', path: '/spa/one', restored: true });
  for (let i = 0; i < 4; i++) await page.mouse.click(170, 100);
  await sleep(1200);
  const paths = collector.events().filter((e) => e.type === 'page').map((e) => e.properties.path);
  assert.deepEqual(paths, ['/tests/e2e/pages/signals.html', '/spa/one']);
  assert.ok(!collector.events().some((e) => ['rage_click', 'scroll_depth'].includes(e.event)));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrapper installed over ours keeps working after shutdown', async () => {
  const context = await fresh();
  const { page, errors } = await signalsPage(context);
  const calls = await page.evaluate(async () => {
    const calls = [];
    const ours = history.pushState;
    history.pushState = function (...args) {
      calls.push(args[2]);
      return ours.apply(this, args);
    };
    history.pushState({}, '', '/spa/x');
    await ff.flush();
    ff.shutdown();
    history.pushState({}, '', '/spa/y');
    return { calls, path: location.pathname };
  });
  assert.deepEqual(calls, { calls: ['/spa/x', '/spa/y'], path: '/spa/y' });
  await sleep(300);
  const paths = collector.events().filter((e) => e.type === 'page').map((e) => e.properties.path);
  assert.deepEqual(paths, ['/tests/e2e/pages/signals.html', '/spa/x']);
  assert.deepEqual(errors, []);
  await context.close();
});

test('autocapture: false sends nothing automatic', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, { autocapture: false });
  await page.mouse.move(640, 300);
  for (let i = 0; i < 5; i++) await page.mouse.click(170, 100);
  await page.click('#price-label');
  await scrollTo(page, 4000);
  await page.evaluate(() => history.pushState({}, '', '/spa/quiet'));
  await page.evaluate(() => ff.trackEvent('manual'));
  await sleep(1200);
  const count = await page.evaluate(() => ff.stats().queued + ff.stats().sent);
  assert.deepEqual(names(await events(page)), ['manual']);
  assert.equal(count, 1);
  await context.close();
});

test('consent first: in opt-in mode, automatic events wait for the decision', async () => {
  const context = await fresh();
  const { page } = await signalsPage(context, { consent: { mode: 'opt-in' } });
  await scrollTo(page, 1300);
  await sleep(300);
  assert.equal(collector.requests.length, 0, 'nothing before a decision');
  await page.evaluate(() => ff.setConsent({ analytics: true }));
  const names_ = names((await events(page)).filter((e) => e.event !== 'consent_updated'));
  assert.deepEqual(names_, ['page', 'scroll_depth', 'scroll_depth'], 'released in order');
  await context.close();
});
