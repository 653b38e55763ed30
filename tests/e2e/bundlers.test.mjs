// The bundler and framework matrix: the packed package, extracted into
// tests/bundlers/node_modules, built for production by webpack, Rollup,
// esbuild (with React), Next.js (app router, static export) and Vite (Vue),
// each app served from target/bundlers/ and run in Chromium. The README's
// framework recipes are what the fixtures run. Bundler output does not
// depend on the engine: Chromium alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { useBrowser, open, serve, readmeBlock, root, sleep } from './harness.mjs';

let collector;
let browser;

useBrowser((c, b) => {
  [collector, browser] = [c, b];
});

const fixtures = join(root, 'tests', 'bundlers');
const out = join(root, 'target', 'bundlers');
const pack = join(root, 'target', 'pack-bundlers');
const installed = join(fixtures, 'node_modules', 'footfall-analytics');

/** A package installed in tests/bundlers (see scripts/setup.sh). */
const requireFixtures = createRequire(join(fixtures, 'package.json'));
const fromFixtures = (name) => import(pathToFileURL(requireFixtures.resolve(name)).href);

const README_ENDPOINT = "'https://collect.example.com/v1/batch'";

/** Asserts that fixture `file` holds the README block verbatim, the endpoint being the test collector's. */
async function assertHoldsBlock(file, lang, marker) {
  const block = (await readmeBlock(lang, marker)).replaceAll(README_ENDPOINT, "'/collect'").trim();
  const source = readFileSync(join(fixtures, file), 'utf8');
  assert.ok(source.includes(block), `tests/bundlers/${file} runs the README ${lang} block:\n${block}`);
}

/** A clean output directory target/bundlers/`name`. */
function outDir(name) {
  const dir = join(out, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * The README's copy step for esbuild and Rollup, run as written in a site
 * directory target/bundlers/`name` (its node_modules those of
 * tests/bundlers), and the copied files served at /static/footfall/ as the
 * README's wasmUrl says. Returns the site's public/ directory.
 */
async function copyStep(name) {
  const site = outDir(name);
  symlinkSync(join(fixtures, 'node_modules'), join(site, 'node_modules'), 'dir');
  execFileSync('sh', ['-ec', await readmeBlock('sh', 'footfall-analytics/dist/*.wasm')], { cwd: site });
  const copied = readdirSync(join(site, 'public/static/footfall'));
  assert.deepEqual(copied.sort(), readdirSync(join(installed, 'dist')).filter((f) => f.endsWith('.wasm')).sort());
  for (const f of copied) serve(collector, '/static/footfall/' + f, { file: `target/bundlers/${name}/public/static/footfall/${f}` });
  return join(site, 'public');
}

/** esbuild, as a user would run it for the browser: bundled, minified, ES modules split into chunks. */
async function esbuild(entry, outdir, options = {}) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [join(fixtures, entry)],
    outdir,
    bundle: true,
    minify: true,
    format: 'esm',
    splitting: true,
    jsx: 'automatic',
    logLevel: 'silent',
    ...options,
  });
  assert.deepEqual(result.errors, []);
  cpSync(join(fixtures, entry.split('/')[0], 'index.html'), join(outdir, 'index.html'));
  return result;
}

/**
 * Opens the built app at `path`, clicks its button (`click`), flushes the
 * app's client and checks what reached the collector: the tracked event
 * `[name, properties]` exactly, one automatic page view, the write key, one
 * wasm fetched (its path matching `wasm`), no error on the page.
 */
async function runApp(path, { click = false, event, wasm }) {
  collector.reset();
  const context = await browser.newContext();
  const wasmRequests = [];
  context.on('request', (r) => r.url().endsWith('.wasm') && wasmRequests.push(new URL(r.url()).pathname));
  const { page, errors } = await open(context, collector.origin, path);
  await page.waitForFunction(() => !!window.footfallTest, null, { timeout: 15_000 }); // the app is up
  if (click) await page.click('button');
  await page.evaluate(() => window.footfallTest.flush());
  const events = collector.events();
  assert.deepEqual(
    events.filter((e) => e.type === 'track').map((e) => [e.event, e.properties]),
    [event],
    'the event, once, with its exact properties',
  );
  const views = events.filter((e) => e.type === 'page');
  assert.equal(views.length, 1, 'exactly one automatic page view');
  assert.equal(views[0].context.page.path, path);
  assert.deepEqual(events.map((e) => e.type).sort(), ['page', 'track'], 'nothing else');
  assert.ok(collector.requests.every((r) => r.body.writeKey === 'WK'));
  assert.equal(wasmRequests.length, 1, `one wasm fetched: ${wasmRequests}`);
  assert.match(wasmRequests[0], wasm);
  assert.deepEqual(errors, []);
  assert.deepEqual(await page.evaluate(() => window.__ffErrors), []);
  await context.close();
}

/** The wasm of the default options' build (signals and attribution). */
const DEFAULT_BUILD = 'footfall.signals-attribution';

test('npm pack, extracted into tests/bundlers/node_modules/footfall-analytics', () => {
  assert.ok(existsSync(join(fixtures, 'node_modules/.footfall-lock')), 'tests/bundlers installed by scripts/setup.sh');
  rmSync(pack, { recursive: true, force: true });
  mkdirSync(pack, { recursive: true });
  const json = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', pack], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(json);
  rmSync(installed, { recursive: true, force: true });
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(pack, info.filename), '-C', installed, '--strip-components=1']);
  assert.equal(JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).name, 'footfall-analytics');
});

test('webpack 5, production, no configuration beyond entry and output', async () => {
  const { default: webpack } = await fromFixtures('webpack');
  const dir = outDir('webpack');
  const compiler = webpack({ mode: 'production', entry: join(fixtures, 'webpack/main.js'), output: { path: dir } });
  const stats = await new Promise((resolve, reject) => compiler.run((err, s) => (err ? reject(err) : compiler.close(() => resolve(s)))));
  assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
  cpSync(join(fixtures, 'webpack/index.html'), join(dir, 'index.html'));
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.wasm')), 'webpack emits the wasm files as assets');
  await runApp('/target/bundlers/webpack/index.html', { event: ['bundled', { bundler: 'webpack', n: 1 }], wasm: /^\/target\/bundlers\/webpack\/[0-9a-f]+\.wasm$/ });
});

test('Rollup 4 + node-resolve: the README copy step and wasmUrl line', async () => {
  await assertHoldsBlock('rollup/main.js', 'js', "wasmUrl: '/static/footfall/'");
  const [{ rollup }, resolve] = await Promise.all([fromFixtures('rollup'), fromFixtures('@rollup/plugin-node-resolve')]);
  const publicDir = await copyStep('rollup');
  const warnings = [];
  const bundle = await rollup({ input: join(fixtures, 'rollup/main.js'), plugins: [resolve.nodeResolve()], onwarn: (w) => warnings.push(w.message) });
  await bundle.write({ dir: publicDir, format: 'es' });
  await bundle.close();
  assert.deepEqual(warnings, []);
  cpSync(join(fixtures, 'rollup/index.html'), join(publicDir, 'index.html'));
  await runApp('/target/bundlers/rollup/public/index.html', { event: ['bundled', { bundler: 'rollup', n: 2 }], wasm: new RegExp(`^/static/footfall/${DEFAULT_BUILD}\\.wasm$`) });
});

test('esbuild + React 19 (StrictMode): the README React recipe, the copy step and wasmUrl line', async () => {
  await assertHoldsBlock('esbuild-react/QuoteButton.jsx', 'jsx', 'export function QuoteButton');
  await assertHoldsBlock('esbuild-react/analytics.js', 'js', "wasmUrl: '/static/footfall/'");
  const publicDir = await copyStep('esbuild-react');
  await esbuild('esbuild-react/main.jsx', publicDir);
  await runApp('/target/bundlers/esbuild-react/public/index.html', {
    click: true,
    event: ['quote_requested', { service: 'battery' }],
    wasm: new RegExp(`^/static/footfall/${DEFAULT_BUILD}\\.wasm$`),
  });
});

test('esbuild + React 19: the README experiment component, rendered after footfall is ready, shows the assigned variant only; one exposure', async () => {
  await assertHoldsBlock('esbuild-react-experiment/Hero.jsx', 'jsx', 'export function Hero');
  await assertHoldsBlock('esbuild-react-experiment/index.html', 'css', '[data-ff-experiment]');
  const publicDir = await copyStep('esbuild-react-experiment');
  await esbuild('esbuild-react-experiment/main.jsx', publicDir);
  collector.reset();
  const context = await browser.newContext();
  const wasmRequests = [];
  context.on('request', (r) => r.url().endsWith('.wasm') && wasmRequests.push(new URL(r.url()).pathname));
  const { page, errors } = await open(context, collector.origin, '/target/bundlers/esbuild-react-experiment/public/index.html');
  await page.waitForFunction(() => document.querySelectorAll('h1').length === 2, null, { timeout: 15_000 });
  await sleep(200);
  const assigned = await page.evaluate(() => window.footfallTest.variant('hero_copy'));
  const visible = await page.evaluate(() => [...document.querySelectorAll('h1')].filter((h) => h.getClientRects().length).map((h) => h.dataset.ffVariant));
  assert.deepEqual(visible, [assigned]);
  assert.deepEqual(await page.evaluate(() => window.seen), [assigned], 'no frame showed the other variant');
  await page.evaluate(() => window.footfallTest.flush());
  const views = collector.events().filter((e) => e.event === 'Experiment Viewed');
  assert.equal(views.length, 1);
  assert.equal(views[0].properties.variation_id, assigned);
  assert.deepEqual(wasmRequests, ['/static/footfall/footfall.signals-attribution-experiments.wasm']);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const format of ['esm', 'iife']) {
  // iife is esbuild's default format; import.meta.url is empty there.
  test(`esbuild (${format}) without wasmUrl: init and load().ready() reject with footfall:, the wasm tried and the fix, nothing uncaught`, async () => {
    const name = `esbuild-no-wasm-url-${format}`;
    const dir = outDir(name);
    await esbuild('esbuild-no-wasm-url/main.js', dir, format == 'iife' ? { format, splitting: false } : {});
    collector.reset();
    const context = await browser.newContext();
    const { page, errors } = await open(context, collector.origin, `/target/bundlers/${name}/index.html`);
    await page.waitForFunction(() => !!window.footfallResults, null, { timeout: 10_000 });
    const results = await page.evaluate(() => window.footfallResults);
    // The URL the wasm was looked for at: next to the bundle (esm); none can be made without import.meta.url (iife).
    const tried = format == 'esm' ? `could not fetch ${collector.origin}/target/bundlers/${name}/${DEFAULT_BUILD}.wasm (HTTP 404)` : `could not locate ${DEFAULT_BUILD}.wasm next to the bundle`;
    for (const message of [results.init, results.ready]) {
      assert.ok(message.startsWith('footfall: ') && message.includes(tried), message);
      assert.match(message, /copy node_modules\/footfall-analytics\/dist\/\*\.wasm .* wasmUrl option/);
    }
    assert.deepEqual(errors, []);
    assert.deepEqual(await page.evaluate(() => window.__ffErrors), []);
    assert.equal(collector.requests.length, 0, 'nothing sent');
    await context.close();
  });
}

test('Next.js 16 (app router, static export): the README React and Next.js recipes, safe in the prerender', async () => {
  await assertHoldsBlock('next/app/analytics.js', 'js', '// analytics.js');
  await assertHoldsBlock('next/app/QuoteButton.jsx', 'jsx', 'export function QuoteButton');
  await assertHoldsBlock('next/app/QuoteButton.jsx', 'jsx', "'use client'");
  const app = join(fixtures, 'next');
  rmSync(join(app, '.next'), { recursive: true, force: true });
  outDir('next');
  const next = join(fixtures, 'node_modules/.bin/next');
  const { stdout } = await promisify(execFile)(next, ['build'], { cwd: app, env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
  // The client component ran on the server (its HTML is in the export), and
  // so did analytics.js's load(): a client that does nothing, whose ready() says why.
  const html = readFileSync(join(out, 'next/index.html'), 'utf8');
  assert.match(html, /<button[^>]*>Get a quote<\/button>/);
  assert.match(stdout, /^prerender: footfall: footfall runs in the browser; here \(server rendering\) its calls do nothing\./m, stdout);
  await runApp('/target/bundlers/next/', {
    click: true,
    event: ['quote_requested', { service: 'battery' }],
    wasm: new RegExp(`^/target/bundlers/next/_next/static/media/${DEFAULT_BUILD}\\.[\\w-]+\\.wasm$`),
  });
});

test('Vue 3 (Vite + @vitejs/plugin-vue): the README Vue recipe', async () => {
  await assertHoldsBlock('vue/App.vue', 'vue', '<script setup>');
  const [{ build }, { default: vue }] = await Promise.all([import('vite'), fromFixtures('@vitejs/plugin-vue')]);
  const dir = outDir('vue');
  await build({ root: join(fixtures, 'vue'), base: './', configFile: false, logLevel: 'warn', plugins: [vue()], build: { outDir: dir, emptyOutDir: true } });
  await runApp('/target/bundlers/vue/index.html', {
    click: true,
    event: ['quote_requested', { service: 'battery' }],
    wasm: new RegExp(`^/target/bundlers/vue/assets/${DEFAULT_BUILD}-[\\w-]+\\.wasm$`),
  });
});
