// The README's code blocks: every one is run by a test. The blocks other
// suites run are listed in CLAIMS (and each claim is checked against its
// suite); the rest run here, in Chromium, against the local collector.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { useBrowser, open, serve, readmeBlock, root } from './harness.mjs';

/** [lang, marker, suite]: the first README block in `lang` holding `marker` is run by `suite`. */
const CLAIMS = [
  ['sh', 'npm install footfall-analytics', 'install.test.mjs'],
  ['js', "import { init } from 'footfall-analytics'", 'install.test.mjs'],
  ['js', "import { load } from 'footfall-analytics'", 'load.test.mjs'],
  ['html', 'footfall.js', 'install.test.mjs'],
  ['js', '// analytics.js', 'bundlers.test.mjs'],
  ['jsx', 'export function QuoteButton', 'bundlers.test.mjs'],
  ['jsx', 'export function Hero', 'bundlers.test.mjs'],
  ['jsx', "'use client'", 'bundlers.test.mjs'],
  ['vue', '<script setup>', 'bundlers.test.mjs'],
  ['sh', 'footfall-analytics/dist/*.wasm', 'bundlers.test.mjs'],
  ['js', "wasmUrl: '/static/footfall/'", 'bundlers.test.mjs'],
  ['js', "dataLayer.push({ event: 'purchase'", 'install.test.mjs'],
  ['html', 'window.analytics = footfall', 'install.test.mjs'],
  ['js', "transaction_id: 'FW-K7QD2M'", 'orders.test.mjs'],
  ['json', '"order_id": "FW-K7QD2M"', 'orders.test.mjs'],
  ['js', "fetch('/api/checkout'", 'orders.test.mjs'],
  ['js', "from '@segment/analytics-node'", 'orders.test.mjs'],
  ['sh', 'npm run demo', 'readme.test.mjs'],
  ['js', "ff.page('Pricing')", 'readme.test.mjs'],
  ['json', '"batch"', 'readme.test.mjs'],
  ['js', 'respectGpc: true', 'readme.test.mjs'],
  ['js', 'ff.onExitIntent(', 'readme.test.mjs'],
  ['html', 'data-ff-event="price_checked"', 'readme.test.mjs'],
  ['html', 'data-ff-form="signup"', 'forms.test.mjs'],
  ['js', 'hero_copy: { variants:', 'experiments.test.mjs'],
  ['html', 'data-ff-experiment="hero_copy"', 'experiments.test.mjs'],
  ['css', '[data-ff-experiment]', 'experiments.test.mjs'],
];

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map(([, lang, body]) => ({ lang, body }));

test('every README code block is run by a test, and each suite named runs it', () => {
  const claimed = new Set();
  for (const [lang, marker, suite] of CLAIMS) {
    const block = blocks.find((b) => b.lang === lang && b.body.includes(marker));
    assert.ok(block, `README.md has no ${lang} block with ${marker}`);
    claimed.add(block);
    const source = readFileSync(join(root, 'tests/e2e', suite), 'utf8');
    // readmeBlock('lang', 'marker') or assertHoldsBlock(file, 'lang', 'marker'), either quote.
    assert.ok(
      [`'${lang}', '${marker}'`, `'${lang}', "${marker}"`].some((call) => source.includes(call)),
      `${suite} reads the ${lang} block with ${marker}`,
    );
  }
  const unclaimed = blocks.filter((b) => !claimed.has(b));
  assert.deepEqual(
    unclaimed.map((b) => `${b.lang}: ${b.body.split('\n')[0]}`),
    [],
    'a README block no test runs (add it to CLAIMS, with the test that runs it)',
  );
});

test('the Develop block: each command is a package script, and the demo URL is the server default', async () => {
  const block = await readmeBlock('sh', 'npm run demo');
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  const commands = block.split('\n').filter(Boolean).map((l) => l.split('#')[0].trim());
  assert.deepEqual(commands, ['npm test', 'npm run demo']);
  assert.match(scripts.test, /scripts\/test\.sh/);
  assert.match(scripts.demo, /www\/server\.mjs/);
  assert.match(readFileSync(join(root, '.ci/run'), 'utf8'), /^npm test$/m, 'CI runs the first');
  assert.match(block, /http:\/\/127\.0\.0\.1:8080/);
  assert.ok(readFileSync(join(root, 'www/server.mjs'), 'utf8').includes('Number(process.env.PORT ?? 8080)'), 'the demo listens on 8080 by default');
});

let collector;
let browser;
useBrowser((c, b) => {
  [collector, browser] = [c, b];
});

/** A page running `script` as a module, with footfall's ES module entry from dist/. */
function modulePage(path, script, body = '') {
  serve(collector, path, {
    type: 'text/html; charset=utf-8',
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head><body>${body}
<script type="module">${script}</script></body></html>`,
  });
  return path;
}

/** A README js block made to run here: the entry from dist/, the test collector. */
const runnable = (block) =>
  block
    .replace("from 'footfall-analytics'", "from '/dist/footfall.mjs'")
    .replace("'https://collect.example.com/v1/batch'", "'/collect'");

/** Every key path of a JSON value (`context.page.url`), objects only. */
function paths(value, prefix = '') {
  if (value === null || typeof value != 'object' || Array.isArray(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => [prefix + k, ...paths(v, prefix + k + '.')]);
}

test('the Use it block sends its four events; the On the wire example has the shape of what is sent', async () => {
  collector.reset();
  const block = runnable(await readmeBlock('js', "ff.page('Pricing')"));
  const path = modulePage('/readme/use-it.html', `${block}\nwindow.done = true;`);
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const { page, errors } = await open(context, collector.origin, path);
  await page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  const events = collector.events();
  assert.deepEqual(
    events.map((e) => [e.type, e.event ?? e.name ?? null, e.userId ?? null]),
    [
      ['page', null, null],
      ['track', 'quote_requested', null],
      ['page', 'Pricing', null],
      ['identify', null, 'user-42'],
    ],
    'the automatic page view, then the three calls',
  );
  assert.deepEqual(events[1].properties, { service: 'iphone_screen', price: 129 });
  assert.deepEqual(events[3].traits, { plan: 'pro' });
  assert.equal(collector.requests.at(-1).body.writeKey, 'WK');

  // On the wire: each key of the README's example is in the real body.
  const example = JSON.parse(await readmeBlock('json', '"batch"'));
  const body = collector.requests.find((r) => r.body?.batch?.some((e) => e.event === 'quote_requested')).body;
  const real = body.batch.find((e) => e.event === 'quote_requested');
  assert.deepEqual(Object.keys(example).sort(), Object.keys(body).sort());
  const missing = paths(example.batch[0]).filter((p) => !paths(real).includes(p));
  assert.deepEqual(missing, [], 'fields of the README example the wire lacks');
  assert.deepEqual(real.properties, example.batch[0].properties);
  assert.equal(real.context.library.version, example.batch[0].context.library.version, 'the example names this version');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the consent block: opt-in, the banner grants analytics, getConsent returns the fields the comment lists', async () => {
  collector.reset();
  const block = await readmeBlock('js', 'respectGpc: true');
  const listed = /\{ ([^}]*) \}/.exec(block.split('ff.getConsent();')[1])[1].split(', ');
  const path = modulePage(
    '/readme/consent.html',
    `import { init } from '/dist/footfall.mjs';
window.dataLayer = [];
${block.replace('ff.getConsent();', 'window.state = ff.getConsent();')}
await ff.flush();
window.done = true;`,
  );
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, path);
  await page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  const state = await page.evaluate(() => window.state);
  assert.deepEqual(Object.keys(state).sort(), [...listed].sort());
  assert.equal(state.decided, true);
  assert.equal(state.policyVersion, '2026-11');
  assert.equal(state.mode, 'opt-in');
  assert.deepEqual([state.categories.analytics, state.categories.marketing], [true, false]);
  const events = collector.events();
  const consent = events.find((e) => e.event === 'consent_updated');
  assert.ok(consent, 'consent_updated sent once analytics is granted');
  assert.ok(events.every((e) => e.context.ip === '0.0.0.0'), 'anonymizeIp');
  // consentMode: the grant reaches Google Consent Mode as an update command.
  const commands = await page.evaluate(() => window.dataLayer.map((e) => Array.from(e).slice(0, 2)));
  assert.ok(commands.some(([c, kind]) => c === 'consent' && kind === 'update'), JSON.stringify(commands));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the onExitIntent block shows the offer to a visitor who read past half the page', async () => {
  collector.reset();
  const block = await readmeBlock('js', 'ff.onExitIntent(');
  const path = modulePage(
    '/readme/exit.html',
    `import { init } from '/dist/footfall.mjs';
const ff = await init({ endpoint: '/collect', autocapture: { exitIntent: { minDwellMs: 0 } } });
window.offers = [];
const showOfferModal = () => window.offers.push(ff.stats().queued >= 0);
${block}
window.done = true;`,
    '<div style="height:4000px">Long page</div>',
  );
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const { page, errors } = await open(context, collector.origin, path);
  await page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  await page.mouse.move(640, 300);
  await page.mouse.move(640, -5, { steps: 4 }); // at the top of the page: no offer
  assert.deepEqual(await page.evaluate(() => window.offers), []);
  await context.close();

  const deep = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const second = await open(deep, collector.origin, path);
  await second.page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  await second.page.evaluate(() => window.scrollTo(0, 3000));
  await second.page.waitForTimeout(300);
  await second.page.mouse.move(640, 300);
  await second.page.mouse.move(640, -5, { steps: 4 });
  await second.page.waitForFunction(() => window.offers.length === 1, null, { timeout: 5000 });
  assert.deepEqual(errors.concat(second.errors), []);
  await deep.close();
});

test('the declarative button sends price_checked with its data-ff-prop-* properties', async () => {
  collector.reset();
  const block = await readmeBlock('html', 'data-ff-event="price_checked"');
  const path = modulePage(
    '/readme/button.html',
    `import { init } from '/dist/footfall.mjs';
window.ff = await init({ endpoint: '/collect', flushAt: 1 });
window.done = true;`,
    block,
  );
  const context = await browser.newContext();
  const { page, errors } = await open(context, collector.origin, path);
  await page.waitForFunction(() => window.done, null, { timeout: 15_000 });
  await page.click('button');
  await collector.waitFor((c) => c.events().some((e) => e.event === 'price_checked'), 5000, 'price_checked');
  const clicked = collector.events().filter((e) => e.event === 'price_checked');
  assert.equal(clicked.length, 1);
  assert.deepEqual(clicked[0].properties, { service: 'battery', 'price-band': 'mid' });
  assert.deepEqual(errors, []);
  await context.close();
});
