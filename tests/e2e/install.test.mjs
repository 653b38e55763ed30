// The three installation paths, run as the README writes them: npm (a Vite
// production build of a TypeScript app using the packed package), the
// script tag (snippet + async loader), and the Google Tag Manager template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, open, testPage, sleep, serve, serveBuilds, readmeBlock, root } from './harness.mjs';
import { buildNames } from '../../src/js/builds.js';

let collector;
let browser;

useBrowser((c, b) => {
  [collector, browser] = [c, b];
  serveBuilds(collector);
});

async function fresh() {
  collector.reset();
  return browser.newContext();
}

/** A page made of `body`, served at `path` with extra response `headers`. */
function page(path, body, headers = {}) {
  serve(collector, path, {
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Script tag</title></head><body>\n${body}\n</body></html>`,
    type: 'text/html; charset=utf-8',
    headers,
  });
  return path;
}

const byName = (events, name) => events.filter((e) => e.event === name || (e.type !== 'track' && e.name === name));

// ---------------------------------------------------------------- npm

const pack = join(root, 'target', 'pack');
const app = join(root, 'tests', 'vite-app');
const installed = join(app, 'node_modules', 'footfall-analytics');

/** `npm pack`s the package (already built) and installs the tarball into the Vite app. */
function packAndInstall() {
  rmSync(pack, { recursive: true, force: true });
  mkdirSync(pack, { recursive: true });
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', pack], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out);
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(pack, info.filename), '-C', installed, '--strip-components=1']);
  return info;
}

let packed;

test('npm pack: the package holds what users need, and only that', async () => {
  packed = packAndInstall();
  const files = packed.files.map((f) => f.path).sort();
  const builds = buildNames();
  assert.equal(builds.length, 19, 'every subset of signals, attribution, datalayer, and ecommerce with the datalayer it needs; errors, forms, vitals, heatmap and experiments each with the defaults, all five together, and in the full build');
  assert.deepEqual(
    files,
    [
      'LICENSE',
      'README.md',
      'dist/footfall.api.d.ts',
      ...builds.flatMap((b) => [`dist/footfall.${b}.mjs`, `dist/footfall.${b}.wasm`]),
      'dist/footfall.d.ts',
      'dist/footfall.experiments.min.js',
      'dist/footfall.js',
      'dist/footfall.mjs',
      'dist/footfall.snippet.js',
      'dist/footfall.snippet.min.js',
      'dist/experiments.js',
      'dist/options.js',
      'gtm/footfall.tpl',
      'package.json',
    ].sort(),
    'each build once (its glue module and its wasm), the entry, the loader, the snippets, the types',
  );
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.exports['.'], { types: './dist/footfall.d.ts', default: './dist/footfall.mjs' });
  // The loader, the snippet and the GTM template can be imported by path too.
  assert.equal(manifest.exports['./dist/*'], './dist/*');
  assert.equal(manifest.exports['./gtm/*'], './gtm/*');
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync(join(installed, 'LICENSE'), 'utf8'), /^MIT License/);
  assert.equal(manifest.sideEffects, false);
  assert.equal(manifest.unpkg, 'dist/footfall.js');
  assert.equal(manifest.jsdelivr, 'dist/footfall.js');
  assert.deepEqual(manifest.footfall, { loader: 'dist/footfall.js', snippet: 'dist/footfall.snippet.min.js', experimentsSnippet: 'dist/footfall.experiments.min.js' });
  assert.match(manifest.scripts.prepack, /scripts\/build\.mjs/);
  // The README's install line installs this package.
  assert.equal((await readmeBlock('sh', 'npm install footfall-analytics')).trim(), `npm install ${manifest.name}`);
  const snippet = readFileSync(join(installed, manifest.footfall.snippet));
  assert.ok(snippet.length < 1024, `snippet ${snippet.length} bytes`);
});

test("tsc --noEmit passes on the typed example, against the package's types", () => {
  assert.ok(packed, 'packed by the previous test');
  const r = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(app, 'tsconfig.json')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('tsc fails on a misspelt option (in init and in window.footfallSettings), an option of the wrong type, and free()', () => {
  assert.ok(packed, 'packed by the previous test');
  const r = spawnSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(app, 'tsconfig.wrong.json')], { encoding: 'utf8' });
  assert.notEqual(r.status, 0, 'tsc must fail');
  const errors = (r.stdout + r.stderr).split('\n').filter((l) => /error TS\d+/.test(l));
  // Exactly the deliberate errors, nothing else (the files must not fail for another reason).
  assert.equal(errors.length, 4, errors.join('\n'));
  assert.match(errors.find((l) => l.includes('option-name.ts')) ?? '', /\(4,30\): error TS(2353|2561):.*'flushAtt'/);
  assert.match(errors.find((l) => l.includes('option-type.ts')) ?? '', /\(4,\d+\): error TS2322:.*string\[\]/);
  assert.match(errors.find((l) => l.includes('free.ts')) ?? '', /\(4,\d+\): error TS2339:.*'free'/);
  // window.footfallSettings is declared: the misspelt key is the error, not the global.
  assert.match(errors.find((l) => l.includes('window-settings.ts')) ?? '', /\(4,\d+\): error TS(2353|2561):.*'flushAtt'/);
});

test('the README npm block, built by Vite in production mode with no plugin, sends its event', async () => {
  assert.ok(packed, 'packed by the previous test');
  const block = await readmeBlock('js', "import { init } from 'footfall-analytics'");
  const main = readFileSync(join(app, 'src/main.ts'), 'utf8');
  assert.ok(
    main.includes(block.replace("'https://collect.example.com/v1/batch'", "'/collect'").trim()),
    'tests/vite-app/src/main.ts runs the README block (with the test collector as endpoint)',
  );
  const { build } = await import('vite');
  const outDir = join(root, 'target', 'vite-app');
  await build({ root: app, base: './', configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const assets = readdirSync(join(outDir, 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `the wasm is emitted as an asset: ${assets}`);
  assert.ok(!assets.some((f) => f.endsWith('.ts')));

  const context = await fresh();
  const { page: p, errors } = await open(context, collector.origin, '/target/vite-app/index.html');
  await p.waitForFunction(() => document.title === 'flushed', null, { timeout: 10_000 });
  const [event] = byName(collector.events(), 'quote_requested');
  assert.ok(event, 'the event reached the collector');
  assert.deepEqual(event.properties, { service: 'iphone_screen', price: 129 });
  assert.equal(event.context.page.path, '/target/vite-app/index.html');
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------- script tag

const loaderDelayMs = 1000;

test('script tag (README block): calls made before the loader arrives are delivered in order, each with the page and time of its moment', async () => {
  const block = await readmeBlock('html', 'footfall.js');
  const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8').trim();
  assert.ok(block.includes(`<script>${snippet}</script>`), "the README's snippet is the built one");
  serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js', delayMs: loaderDelayMs });
  const path = page(
    '/script-tag.html',
    `<script>window.t0 = Date.now();</script>\n${block}\n<script>
      // [before, after] each call: its event's timestamp falls between.
      window.at = [];
      const timed = (call) => { const before = Date.now(); call(); at.push([before, Date.now()]); };
      timed(() => footfall.trackEvent('early_1', { n: 1 }));
      document.title = 'Second title';
      history.pushState({}, '', '?step=2');
      timed(() => footfall.trackEvent('early_2', { n: 2 }));
      timed(() => footfall.page('Checkout', { step: 2 }));
      timed(() => footfall.identify('user-7', { plan: 'pro' }));
    </script>`,
  );
  const context = await fresh();
  const p = await context.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  // Not waiting for `load`: that waits for the async loader.
  await p.goto(collector.origin + path, { waitUntil: 'domcontentloaded' });
  // Still the stub while the loader is on its way.
  assert.equal(await p.evaluate(() => Array.isArray(window.footfall.q) && footfall.q.length), 5);
  await p.waitForFunction(() => typeof window.footfall.anonymousId === 'function' && !window.footfall.q && footfall.anonymousId(), null, { timeout: 10_000 });
  await p.evaluate(async () => {
    footfall.trackEvent('after_load');
    await footfall.flush();
  });
  const [loaderServedAt] = collector.served['/footfall/footfall.js'];
  const at = await p.evaluate(() => window.at);
  const t0 = await p.evaluate(() => window.t0);

  const events = collector.events();
  const mine = events.filter((e) => ['price_checked', 'early_1', 'early_2', 'after_load'].includes(e.event) || (e.type === 'page' && e.name === 'Checkout') || e.type === 'identify');
  assert.deepEqual(
    mine.map((e) => e.event ?? `${e.type}:${e.name ?? ''}`),
    ['price_checked', 'early_1', 'early_2', 'page:Checkout', 'identify:', 'after_load'],
    'each once, in the order of the calls',
  );
  const [priceChecked, early1, early2, checkout, identify, afterLoad] = mine;
  const url = collector.origin + path;
  for (const e of [priceChecked, early1]) {
    assert.equal(e.context.page.url, url);
    assert.equal(e.context.page.title, 'Script tag');
    assert.equal(e.context.page.search, undefined, 'empty fields omitted');
  }
  for (const e of [early2, checkout, identify]) {
    assert.equal(e.context.page.url, url + '?step=2');
    assert.equal(e.context.page.search, '?step=2');
    assert.equal(e.context.page.path, path);
    assert.equal(e.context.page.title, 'Second title');
  }
  assert.equal(checkout.properties.url, url + '?step=2', "a page call's properties describe its page");
  assert.equal(checkout.properties.title, 'Second title');
  assert.equal(checkout.properties.step, 2);
  assert.equal(identify.userId, 'user-7');
  assert.equal(afterLoad.userId, 'user-7', 'the replayed identify applies to later events');
  assert.equal(afterLoad.context.page.title, 'Second title');
  // Each event carries the time of its call, before the loader was even sent.
  const stamps = [priceChecked, early1, early2, checkout, identify].map((e) => Date.parse(e.timestamp));
  assert.ok(stamps[0] >= t0 && stamps[0] <= at[0][0], 'price_checked at its call');
  at.forEach(([before, after], i) => assert.ok(stamps[i + 1] >= before && stamps[i + 1] <= after, `call ${i + 1}: ${stamps[i + 1]} not in [${before}, ${after}]`));
  assert.ok(stamps.every((s) => s < loaderServedAt), 'stamped before the loader arrived');
  assert.ok(Date.parse(afterLoad.timestamp) >= loaderServedAt);
  assert.equal(new Set(mine.map((e) => e.messageId)).size, mine.length);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [what, setup] of [
  ['a blocked .wasm request', (p) => p.route('**/*.wasm', (r) => r.abort('blockedbyclient'))],
  ["a Content-Security-Policy without 'wasm-unsafe-eval'", null],
]) {
  test(`script tag, ${what}: no error reaches the page, calls keep being accepted (and debug says why)`, async () => {
    serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
    const csp = setup ? {} : { 'content-security-policy': "script-src 'self' 'unsafe-inline'" };
    for (const debug of [true, false]) {
      const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8');
      const path = page(
        `/blocked-${debug}.html`,
        `<script>${snippet}</script>
         <script async src="/footfall/footfall.js" data-endpoint="/collect" data-options='{"flushAt":1}' ${debug ? 'data-debug' : ''}></script>
         <script>footfall.trackEvent('before', { n: 1 }); window.analytics = footfall;</script>`,
        csp,
      );
      const context = await fresh();
      const p = await context.newPage();
      const errors = [];
      const warnings = [];
      p.on('pageerror', (e) => errors.push(String(e)));
      p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
      if (setup) await setup(p);
      await p.goto(collector.origin + path);
      await p.waitForFunction(() => window.footfall.q && window.footfall.q.length === 0, null, { timeout: 10_000 });
      const result = await p.evaluate(() => {
        for (let i = 0; i < 1000; i++) footfall.trackEvent('after', { i });
        analytics.track('via_alias');
        footfall.page();
        footfall.identify('u');
        return [footfall.q.length, footfall.stats() === undefined, footfall.flush() === undefined];
      });
      assert.deepEqual(result, [0, true, true], 'accepted and dropped, none kept');
      await sleep(300);
      assert.deepEqual(errors, []);
      assert.ok(!collector.requests.some((r) => r.raw.includes(path)), 'nothing sent from this page');
      if (debug) assert.ok(warnings.some((w) => w.startsWith('footfall: not loaded; calls are ignored.')), warnings.join('\n'));
      else assert.ok(!warnings.some((w) => w.startsWith('footfall')), warnings.join('\n'));
      await context.close();
    }
  });
}

test('script tag: settings from data-* attributes over window.footfallSettings; invalid ones are said, not thrown', async () => {
  serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
  const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8');
  const path = page(
    '/attributes.html',
    `<script>window.footfallSettings = { endpoint: '/nowhere', flushAt: 50, writeKey: 'FROM_SETTINGS' };
       window.dataLayer = [{ event: 'purchase', value: 5 }, { event: 'debug_tick' }];</script>
     <script>${snippet}</script>
     <script async src="/footfall/footfall.js" data-endpoint="/collect" data-options='{"flushAt":1}'
       data-data-layer="forward" data-data-layer-deny="debug_*" data-autocapture="-rageClick"></script>
     <script>dataLayer.push({ event: 'signup', plan: 'pro' });</script>`,
  );
  const context = await fresh();
  const { page: p, errors } = await open(context, collector.origin, path);
  await collector.waitFor((c) => byName(c.events(), 'purchase').length && byName(c.events(), 'signup').length, 5000, 'forwarded pushes');
  await sleep(200);
  const events = collector.events();
  assert.equal(byName(events, 'purchase').length, 1);
  assert.deepEqual(byName(events, 'signup')[0].properties, { plan: 'pro' });
  assert.equal(byName(events, 'debug_tick').length, 0, 'denied by data-data-layer-deny');
  assert.equal(collector.requests[0].body.writeKey, 'FROM_SETTINGS', 'window.footfallSettings read, data-endpoint over it');
  assert.equal(await p.evaluate(() => dataLayer.some((e) => e.event && e.event.startsWith('footfall.'))), false, 'data-data-layer="forward": no mirror');
  assert.deepEqual(errors, []);
  await context.close();

  // No endpoint at all: a warning, never an error.
  const bad = page('/no-endpoint.html', `<script>${snippet}</script><script async src="/footfall/footfall.js"></script><script>footfall.track('x');</script>`);
  const context2 = await fresh();
  const p2 = await context2.newPage();
  const warnings = [];
  const errors2 = [];
  p2.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  p2.on('pageerror', (e) => errors2.push(String(e)));
  await p2.goto(collector.origin + bad);
  await p2.waitForFunction(() => window.footfall.q && window.footfall.q.length === 0);
  assert.ok(warnings.some((w) => w.includes('footfall: not loaded') && w.includes('`endpoint` is required')), warnings.join('\n'));
  assert.deepEqual(errors2, []);
  await context2.close();
});

test('script tag: malformed data-options (or footfallSettings) are said in the console, even without debug, and the other settings apply', async () => {
  serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
  const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8');
  for (const [name, settings, options, warning] of [
    ['trailing-comma', '', `{"flushAt":1,}`, 'footfall: data-options ignored: not a JSON object'],
    ['array', '', '[1, 2]', 'footfall: data-options ignored: not a JSON object'],
    ['string-settings', `<script>window.footfallSettings = 'flushAt=1';</script>`, '{"flushAt":1}', 'footfall: window.footfallSettings ignored: not a JSON object'],
  ]) {
    const path = page(
      `/bad-options-${name}.html`,
      `${settings}<script>${snippet}</script>
       <script async src="/footfall/footfall.js" data-endpoint="/collect" data-write-key="WK" data-options='${options}' data-autocapture="false"></script>
       <script>footfall.track('still_tracked', { name: ${JSON.stringify(name)} });</script>`,
    );
    const context = await fresh();
    const p = await context.newPage();
    const warnings = [];
    const errors = [];
    p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(collector.origin + path);
    // The client, not the stub (which has the same methods).
    await p.waitForFunction(() => !window.footfall.q, null, { timeout: 10_000 });
    await p.evaluate(() => footfall.flush());
    assert.ok(warnings.some((w) => w.startsWith(warning)), `${name}: ${warnings.join('\n')}`);
    const [event] = byName(collector.events(), 'still_tracked').filter((e) => e.properties.name === name);
    assert.ok(event, `${name}: footfall loaded with the other settings (data-endpoint)`);
    assert.equal(collector.requests.find((r) => r.raw.includes('still_tracked')).body.writeKey, 'WK');
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the npm entry with debug names the options it ignores (a misspelt flushAT) and the name probably meant; without debug, nothing is said', async () => {
  for (const debug of [true, false]) {
    const context = await fresh();
    const p = await context.newPage();
    const warnings = [];
    p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await p.goto(collector.origin + testPage({ flushAT: 1, autocapture: { pageView: false }, debug }));
    await p.waitForFunction(() => window.ffReady, null, { timeout: 10_000 });
    const said = warnings.filter((w) => w.startsWith('footfall: unknown options ignored: ')).map((w) => w.slice(w.lastIndexOf(': ') + 2).split(', ').sort());
    const expected = [['autocapture.pageView (did you mean autocapture.pageViews?)', 'flushAT (did you mean flushAt?)']];
    assert.deepEqual(said, debug ? expected : [], warnings.join('\n'));
    await context.close();
  }
});

test('script tag: while the loader is held up, the stub keeps the newest 1000 calls (consent and identity survive), and says how many it dropped', async () => {
  serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js', delayMs: 1500 });
  const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8');
  const path = page(
    '/burst.html',
    `<script>${snippet}</script>
     <script async src="/footfall/footfall.js" data-endpoint="/collect" data-consent="opt-in" data-autocapture="false" data-debug></script>
     <script>
       footfall.setConsent({ analytics: true });
       footfall.identify('early-user');
       for (let i = 0; i < 5000; i++) footfall.track('burst', { i });
     </script>`,
  );
  const context = await fresh();
  const p = await context.newPage();
  const warnings = [];
  const errors = [];
  p.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
  p.on('pageerror', (e) => errors.push(String(e)));
  await p.goto(collector.origin + path, { waitUntil: 'domcontentloaded' });
  const held = await p.evaluate(() => [footfall.q.length, footfall.d, footfall.q[0][0], footfall.q[1][0], footfall.q[2][1][1].i]);
  assert.deepEqual(held, [1000, 4002, 'setConsent', 'identify', 4002], 'the newest 998 tracks, after the consent and the identify');
  await p.waitForFunction(() => !window.footfall.q, null, { timeout: 10_000 });
  assert.ok(warnings.some((w) => w.startsWith('footfall: 4002 calls made before loading were dropped')), warnings.join('\n'));
  const stats = await p.evaluate(() => footfall.stats());
  assert.ok(stats.dropped >= 4002, `stats().dropped counts them: ${JSON.stringify(stats)}`);
  await collector.waitFor((c) => byName(c.events(), 'burst').some((e) => e.properties.i === 4999), 10_000, 'the newest call');
  const bursts = byName(collector.events(), 'burst');
  assert.ok(bursts.every((e) => e.properties.i >= 4002), 'no dropped call was sent');
  assert.ok(bursts.every((e) => e.userId === 'early-user'), 'the early identify applies');
  assert.deepEqual(errors, []);
  await context.close();
});

test('script tag: data-autocapture turns automatic events off, all of them or some, and +name adds a module', async () => {
  serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js' });
  const snippet = readFileSync(join(root, 'dist/footfall.snippet.min.js'), 'utf8');
  for (const [name, attribute, pageViews, build] of [
    ['default', '', 1, 'signals-attribution'],
    ['none', 'data-autocapture="false"', 0, 'attribution'],
    ['only-scroll', 'data-autocapture="scrollDepth"', 0, 'signals-attribution'],
    ['minus-page-views', 'data-autocapture="-pageViews"', 0, 'signals-attribution'],
    ['minus-rage', 'data-autocapture="-rageClick"', 1, 'signals-attribution'],
    ['plus-errors', 'data-autocapture="+errors"', 1, 'signals-attribution-errors'],
    ['plus-forms-minus-rage', 'data-autocapture="+forms -rageClick"', 1, 'signals-attribution-forms'],
  ]) {
    const fetched = () => (collector.served[`/footfall/footfall.${build}.wasm`] ?? []).length;
    const before = fetched();
    const path = page(
      `/autocapture-${name}.html`,
      `<script>${snippet}</script>
       <script async src="/footfall/footfall.js" data-endpoint="/collect" data-options='{"flushAt":1}' ${attribute}></script>
       <script>footfall.track('marker');</script>`,
    );
    const context = await fresh();
    const { errors } = await open(context, collector.origin, path);
    await collector.waitFor((c) => byName(c.events(), 'marker').length, 5000, 'marker');
    await sleep(300);
    const views = collector.events().filter((e) => e.type === 'page' && e.context.page.path === path);
    assert.equal(views.length, pageViews, `${name}: automatic page views`);
    assert.equal(fetched(), before + 1, `${name}: the ${build} build`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('Coming from Segment (README block): analytics.* calls work against footfall, before and after it loads', async () => {
  const block = await readmeBlock('html', 'window.analytics = footfall');
  serve(collector, '/footfall/footfall.js', { file: 'dist/footfall.js', delayMs: 300 });
  const path = page('/segment.html', block.replace('console.log(', 'window.readyWith = (').replace("'footfall is up'", "'up'"));
  const context = await fresh();
  const { page: p, errors } = await open(context, collector.origin, path);
  await p.waitForFunction(() => window.readyWith === 'up', null, { timeout: 10_000 });
  await p.evaluate(async () => {
    analytics.track('Order Completed', { total: 30 });
    analytics.group(7, { seats: 40 }, { timestamp: 0 });
    analytics.alias('user-42-web', 'anon-legacy');
    analytics.group({ not: 'an id' });
    await analytics.flush();
  });
  const events = collector.events();
  const identify = events.find((e) => e.type === 'identify');
  assert.equal(identify.userId, 'user-42');
  assert.deepEqual(identify.traits, { plan: 'pro' });
  const signedUp = byName(events, 'Signed Up');
  assert.equal(signedUp.length, 1);
  assert.deepEqual(signedUp[0].properties, { plan: 'pro' });
  assert.equal(signedUp[0].userId, 'user-42');
  const docs = events.filter((e) => e.type === 'page' && e.name === 'Getting Started');
  assert.equal(docs.length, 1);
  assert.equal(docs[0].properties.category, 'Docs');
  assert.equal(byName(events, 'Order Completed').length, 1);
  // group and alias: before loading (replayed with the time of the call) and after.
  const groups = events.filter((e) => e.type === 'group');
  assert.deepEqual(groups.map((e) => [e.groupId, e.traits, e.userId]), [['acme', { plan: 'enterprise' }, 'user-42'], ['7', { seats: 40 }, 'user-42']]);
  // The loader arrives 300 ms late: a replay stamped with its own time would be that late.
  assert.ok(Math.abs(Date.parse(groups[0].timestamp) - Date.parse(signedUp[0].timestamp)) < 150, "the snippet's call keeps its time");
  assert.equal(groups[1].timestamp, '1970-01-01T00:00:00.000Z');
  const aliases = events.filter((e) => e.type === 'alias');
  assert.deepEqual(aliases.map((e) => [e.userId, e.previousId]), [['user-42-crm', 'user-42'], ['user-42-web', 'anon-legacy']]);
  assert.equal(aliases[0].anonymousId, identify.anonymousId);
  assert.equal(await p.evaluate(() => analytics.stats().invalid), 1, 'group without an id is counted, not thrown');
  assert.deepEqual(errors, []);
  await context.close();
});

test("per-call options: Segment's timestamp and context.page, in any accepted form", async () => {
  const context = await fresh();
  const { page: p, errors } = await open(context, collector.origin, testPage({ flushAt: 100 }));
  await p.waitForFunction(() => window.ffReady);
  await p.evaluate(async () => {
    ff.track('iso', {}, { timestamp: '2026-01-02T03:04:05.678Z' });
    ff.track('date', {}, { timestamp: new Date(Date.UTC(2025, 0, 1)) });
    ff.track('number', {}, { timestamp: 1_700_000_000_000, integrations: { All: false } });
    ff.track('invalid', {}, { timestamp: 'not a date' });
    ff.track('callback', {}, () => {});
    ff.trackEvent('page_override', { a: 1 }, { context: { page: { title: 'Then', path: '/then' } } });
    ff.page({ plan: 'pro' }, { timestamp: 0 });
    ff.identify({ plan: 'team' }, { context: { page: { url: 'https://elsewhere.example/' } } });
    await ff.flush();
  });
  const events = collector.events();
  const get = (name) => byName(events, name)[0];
  assert.equal(get('iso').timestamp, '2026-01-02T03:04:05.678Z');
  assert.equal(get('date').timestamp, '2025-01-01T00:00:00.000Z');
  assert.equal(get('number').timestamp, '2023-11-14T22:13:20.000Z');
  for (const name of ['invalid', 'callback']) assert.ok(Math.abs(Date.parse(get(name).timestamp) - Date.now()) < 60_000, `${name}: now`);
  const override = get('page_override');
  assert.equal(override.context.page.title, 'Then');
  assert.equal(override.context.page.path, '/then');
  assert.equal(override.context.page.url, collector.origin + testPage({ flushAt: 100 }), 'fields not given stay');
  assert.equal(override.context.userAgent.length > 0, true, 'the rest of the context');
  const pageEvent = events.find((e) => e.type === 'page' && e.properties.plan === 'pro');
  assert.equal(pageEvent.timestamp, '1970-01-01T00:00:00.000Z');
  const identify = events.find((e) => e.type === 'identify');
  assert.deepEqual(identify.traits, { plan: 'team' });
  assert.equal(identify.context.page.url, 'https://elsewhere.example/');
  assert.equal(await p.evaluate(() => ff.stats().invalid), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

// ---------------------------------------------------------------- Google Tag Manager

/** The sections of a GTM template file. */
function templateSections(text) {
  const sections = {};
  const parts = text.split(/^___([A-Z_]+)___\n/m);
  for (let i = 1; i < parts.length; i += 2) sections[parts[i]] = parts[i + 1].trim();
  return sections;
}

/** A GTM inject_script URL pattern (`*` any run of characters) as a regular expression's source. */
const patternSource = (pattern) => '^' + pattern.split('*').map((s) => s.replace(/[.?+^$(){}|[\]\\/]/g, '\\$&')).join('.*') + '$';
/** Whether a GTM inject_script URL pattern allows `url`. */
const allows = (pattern, url) => new RegExp(patternSource(pattern)).test(url);

test('the GTM template installs footfall from the container, and the README push is forwarded', async () => {
  const tpl = templateSections(readFileSync(join(root, 'gtm/footfall.tpl'), 'utf8'));
  for (const s of ['INFO', 'TEMPLATE_PARAMETERS', 'SANDBOXED_JS_FOR_WEB_TEMPLATE', 'WEB_PERMISSIONS', 'TESTS']) assert.ok(tpl[s], s);
  const info = JSON.parse(tpl.INFO);
  assert.equal(info.type, 'TAG');
  const params = JSON.parse(tpl.TEMPLATE_PARAMETERS).flatMap((p) => (p.type === 'GROUP' ? p.subParams : [p]));
  const permissions = JSON.parse(tpl.WEB_PERMISSIONS);
  const code = tpl.SANDBOXED_JS_FOR_WEB_TEMPLATE;

  // Permissions cover what the code requires, and only sandboxed APIs are used.
  const required = [...code.matchAll(/require\('(\w+)'\)/g)].map((m) => m[1]).sort();
  assert.deepEqual(required, ['injectScript', 'logToConsole', 'setInWindow']);
  const permission = (id) => permissions.find((p) => p.instance.key.publicId === id);
  assert.ok(permission('logging'));
  const globals = permission('access_globals').instance.param[0].value.listItem.map((i) => i.mapValue.map((v) => v.string ?? v.boolean));
  assert.deepEqual(globals, [['footfallSettings', false, true, false]], 'footfallSettings: written, never read nor called');
  const urls = permission('inject_script').instance.param[0].value.listItem.map((i) => i.string);
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const loaderParam = params.find((p) => p.name === 'loaderUrl');
  assert.equal(loaderParam.defaultValue, `https://cdn.jsdelivr.net/npm/footfall-analytics@${version}/dist/footfall.js`, "the default loader is this version's");
  // Only this version's loader, on the two CDNs: no other version, file or package can be injected.
  assert.deepEqual(
    urls,
    [`https://cdn.jsdelivr.net/npm/footfall-analytics@${version}/dist/footfall.js`, `https://unpkg.com/footfall-analytics@${version}/dist/footfall.js`],
    `the template pins package.json's version (${version}): update gtm/footfall.tpl with the version`,
  );
  assert.ok(urls.some((u) => allows(u, loaderParam.defaultValue)), 'the default loader URL is allowed');
  for (const other of ['0.0.1', '9.9.9', 'latest']) {
    for (const cdn of ['https://cdn.jsdelivr.net/npm', 'https://unpkg.com']) {
      const url = `${cdn}/footfall-analytics@${other}/dist/footfall.js`;
      assert.ok(!urls.some((u) => allows(u, url)), `${url} is not allowed`);
    }
  }
  assert.ok(tpl.TESTS.includes(`loaderUrl: 'https://cdn.jsdelivr.net/npm/footfall-analytics@${version}/dist/footfall.js'`), "the template's own tests use this version");
  assert.ok(!/\b(window|document|new |this)\b/.test(code.replace(/\/\/.*$/gm, '')), 'sandboxed JavaScript: no globals, no new, no this');

  // Run the template's code the way GTM does, with the sandboxed APIs it uses,
  // on a page with a container's dataLayer; the CDN is served locally.
  const data = Object.fromEntries(params.filter((p) => 'defaultValue' in p).map((p) => [p.name, p.defaultValue]));
  data.endpoint = collector.origin + '/collect';
  data.writeKey = 'WK';
  const path = page(
    '/gtm.html',
    `<script>window.dataLayer = window.dataLayer || []; dataLayer.push({ 'gtm.start': Date.now(), event: 'gtm.js' });</script>`,
  );
  const context = await fresh();
  await context.route(`https://cdn.jsdelivr.net/npm/footfall-analytics@${version}/dist/**`, (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop();
    route.fulfill({ path: join(root, 'dist', file), contentType: file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
  });
  const { page: p, errors } = await open(context, collector.origin, path);
  const readmePush = await readmeBlock('js', "dataLayer.push({ event: 'purchase'");
  // The sandbox checks each call against the template's permissions, as GTM does.
  const writable = globals.filter(([, , write]) => write).map(([key]) => key);
  const injectable = urls.map(patternSource);
  await p.evaluate(
    ({ code, data, readmePush, writable, injectable }) =>
      new Promise((resolve) => {
        const api = {
          injectScript(url, onSuccess, onFailure, cacheToken) {
            if (!injectable.some((r) => new RegExp(r).test(url))) throw new Error(`inject_script does not allow ${url}`);
            const s = document.createElement('script');
            s.src = url;
            s.async = true;
            s.dataset.cacheToken = cacheToken;
            s.onload = onSuccess;
            s.onerror = onFailure;
            document.head.append(s);
          },
          setInWindow(key, value, override) {
            if (!writable.includes(key)) throw new Error(`access_globals does not allow writing ${key}`);
            if (override || !(key in window)) window[key] = JSON.parse(JSON.stringify(value));
            return true;
          },
          logToConsole: (...a) => console.log(...a),
        };
        window.tagResult = 'pending';
        const template = new Function('data', 'require', code);
        template({ ...data, gtmOnSuccess: () => resolve((window.tagResult = 'success')), gtmOnFailure: () => resolve((window.tagResult = 'failure')) }, (name) => api[name]);
        new Function(readmePush)(); // pushed while footfall loads
      }),
    { code, data, readmePush, writable, injectable },
  );
  assert.equal(await p.evaluate(() => window.tagResult), 'success');
  await p.waitForFunction(() => typeof window.footfall.anonymousId === 'function', null, { timeout: 10_000 });
  const settings = await p.evaluate(() => window.footfallSettings);
  assert.equal(settings.endpoint, data.endpoint);
  assert.deepEqual(settings.dataLayer, { name: 'dataLayer', forward: { allow: [], deny: [] }, mirror: true, ecommerce: false });
  await p.evaluate(async () => {
    dataLayer.push({ event: 'purchase', value: 42, currency: 'EUR', 'gtm.uniqueEventId': 9 });
    await footfall.flush();
  });
  const purchases = byName(collector.events(), 'purchase');
  assert.deepEqual(purchases.map((e) => e.properties), [{ value: 129, currency: 'EUR' }, { value: 42, currency: 'EUR' }]);
  assert.equal(collector.events().filter((e) => e.event?.startsWith('gtm.') || e.event?.startsWith('footfall.')).length, 0);
  const mirrored = await p.evaluate(() => dataLayer.filter((e) => e.event === 'footfall.page_view'));
  assert.equal(mirrored.length, 1, 'the automatic page view, mirrored for GTM triggers');
  assert.equal(mirrored[0].title, 'Script tag');
  assert.equal(mirrored[0].path, '/gtm.html');
  assert.deepEqual(errors, []);
  await context.close();
});
