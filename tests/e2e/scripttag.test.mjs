// The script-tag path in Chromium, Firefox and WebKit: the README's snippet
// and loader, calls made before the loader arrives replayed in order with
// the page and time of each, their URLs redacted like every other, and a
// wasm that cannot load breaking nothing.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { forEachEngine, serve, serveBuilds, buildFiles, readmeBlock, root, sleep } from './harness.mjs';

/** Serves a page made of `body` at `path`. */
function page(collector, path, body) {
  serve(collector, path, {
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Script tag</title></head><body>\n${body}\n</body></html>`,
    type: 'text/html; charset=utf-8',
  });
  return path;
}

const snippet = () => readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8').trim();

forEachEngine((get) => {
  beforeEach(() => {
    const { collector } = get();
    collector.reset();
    serveBuilds(collector);
  });

  test('the README block: calls made before the loader arrives are delivered in order, each with its page and time', async () => {
    const { browser, collector } = get();
    const block = await readmeBlock('html', 'footfall.js');
    serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js', delayMs: 800 });
    const path = page(
      collector,
      '/script-tag.html',
      `${block}\n<script>
        window.at = [];
        const timed = (call) => { const before = Date.now(); call(); at.push([before, Date.now()]); };
        timed(() => footfall.trackEvent('early_1', { n: 1 }));
        document.title = 'Second title';
        history.pushState({}, '', '?step=2');
        timed(() => footfall.trackEvent('early_2', { n: 2 }));
        timed(() => footfall.identify('user-7', { plan: 'pro' }));
      </script>`,
    );
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + path);
    await p.waitForFunction(() => typeof window.footfall.anonymousId === 'function' && !window.footfall.q && footfall.anonymousId(), undefined, 15_000);
    await p.evaluate(async () => {
      footfall.trackEvent('after_load');
      await footfall.flush();
    });
    await collector.waitFor((c) => c.events().some((e) => e.event === 'after_load'), 5000, 'after_load');
    const [loaderServedAt] = collector.served['/footfall/footfall.js'];
    const at = await p.evaluate(() => window.at);
    const mine = collector.events().filter((e) => ['price_checked', 'early_1', 'early_2', 'after_load'].includes(e.event) || e.type === 'identify');
    assert.deepEqual(mine.map((e) => e.event ?? e.type), ['price_checked', 'early_1', 'early_2', 'identify', 'after_load'], 'each once, in order');
    const [, early1, early2, identify, afterLoad] = mine;
    const url = collector.origin + path;
    assert.equal(early1.context.page.url, url);
    assert.equal(early1.context.page.title, 'Script tag');
    assert.equal(early2.context.page.url, url + '?step=2');
    assert.equal(early2.context.page.title, 'Second title');
    assert.equal(identify.userId, 'user-7');
    assert.equal(afterLoad.userId, 'user-7');
    [early1, early2, identify].forEach((e, i) => {
      const t = Date.parse(e.timestamp);
      assert.ok(t >= at[i][0] && t <= at[i][1], `call ${i}: ${t} not in ${at[i]}`);
      assert.ok(t < loaderServedAt, 'stamped before the loader arrived');
    });
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('calls replayed by the loader have their URLs redacted like the automatic page view', async () => {
    const { browser, collector } = get();
    serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js', delayMs: 300 });
    const path = page(
      collector,
      '/reset',
      `<script>${snippet()}</script>
       <script async src="/footfall/footfall.js" data-endpoint="/collect"
         data-options='{"flushAt":1,"privacy":{"stripQueryParams":["token"]}}'></script>
       <script>footfall.trackEvent('early', { n: 1 }); footfall.page('Reset');</script>`,
    );
    const context = await browser.newContext();
    const p = await context.newPage(`${collector.origin}${path}?token=SECRET&email=jo%40example.com&step=1`);
    await collector.waitFor((c) => c.events().some((e) => e.event === 'early') && c.events().some((e) => e.type === 'page' && e.name === 'Reset'), 8000, 'the replayed calls');
    await sleep(300);
    const raw = collector.requests.map((r) => r.raw).join('\n');
    assert.ok(!raw.includes('SECRET'), 'the listed parameter never leaves');
    assert.ok(!/jo(%40|@)example\.com/.test(raw), 'nor the address');
    const early = collector.events().find((e) => e.event === 'early');
    assert.equal(early.context.page.url, `${collector.origin}${path}?email=[email]&step=1`);
    assert.equal(early.context.page.search, '?email=[email]&step=1');
    assert.deepEqual(await p.errors(), []);
    await context.close();
  });

  test('a wasm that cannot load: no error reaches the page, calls keep being accepted', async () => {
    const { browser, collector } = get();
    serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
    for (const f of buildFiles().filter((f) => f.endsWith('.wasm'))) {
      collector.routes.set('/footfall/' + f, (req, res) => {
        res.writeHead(404);
        res.end();
      });
    }
    const path = page(
      collector,
      '/blocked.html',
      `<script>${snippet()}</script>
       <script async src="/footfall/footfall.js" data-endpoint="/collect" data-options='{"flushAt":1}' data-debug></script>
       <script>footfall.trackEvent('before', { n: 1 });</script>`,
    );
    const context = await browser.newContext();
    const p = await context.newPage(collector.origin + path);
    await p.waitForFunction(() => window.footfall.q && window.footfall.q.length === 0, undefined, 10_000);
    const result = await p.evaluate(() => {
      for (let i = 0; i < 100; i++) footfall.trackEvent('after', { i });
      footfall.page();
      footfall.identify('u');
      return [footfall.q.length, footfall.stats() === undefined, footfall.flush() === undefined];
    });
    assert.deepEqual(result, [0, true, true], 'accepted and dropped, none kept');
    await sleep(300);
    assert.deepEqual(await p.errors(), []);
    assert.ok((await p.warnings()).some((w) => w.startsWith('footfall: not loaded; calls are ignored.')), 'debug says why');
    assert.ok(!collector.requests.some((r) => /"(before|after)"/.test(r.raw)), 'nothing sent from this page');
    await context.close();
  });

  test('the loader fetches the one build its options turn on, and it tracks', async () => {
    const { browser, collector } = get();
    serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
    for (const [attrs, build] of [
      [`data-autocapture="false" data-options='{"flushAt":1,"attribution":false}'`, 'core'],
      [`data-options='{"flushAt":1}'`, 'signals-attribution'],
      [`data-autocapture="false" data-data-layer data-options='{"flushAt":1}'`, 'attribution-datalayer'],
    ]) {
      collector.reset();
      collector.served = {};
      const path = page(
        collector,
        `/build-${build}.html`,
        `<script>${snippet()}</script>
         <script async src="/footfall/footfall.js" data-endpoint="/collect" ${attrs}></script>
         <script>footfall.trackEvent('chosen', { build: '${build}' });</script>`,
      );
      const context = await browser.newContext();
      const p = await context.newPage(collector.origin + path);
      await collector.waitFor((c) => c.events().some((e) => e.event === 'chosen'), 10_000);
      const fetched = Object.keys(collector.served).filter((f) => /\.(mjs|wasm)$/.test(f)).sort();
      assert.deepEqual(fetched, [`/footfall/footfall.${build}.mjs`, `/footfall/footfall.${build}.wasm`], build);
      const [event] = collector.events().filter((e) => e.event === 'chosen');
      assert.equal('session' in event.context, build !== 'core', 'sessions only where attribution is built in');
      assert.deepEqual(await p.errors(), []);
      await context.close();
    }
  });
});
